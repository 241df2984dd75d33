// The seccomp profile of every sandbox: an allowlist, Docker's default profile for a container
// without extra capabilities (moby profiles/seccomp/default.json), so a syscall Docker denies
// is denied here too, and any syscall newer than the list is denied (EPERM). On top of
// Docker's unconditional allowlist (minus name_to_handle_at, denied as before):
//   - clone only without namespace flags (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
//     NEWPID, NEWNET masked: EPERM), as Docker allows it without CAP_SYS_ADMIN, so a job
//     cannot make a user namespace and gain full capabilities over nf_tables and the like;
//   - clone3 fails with ENOSYS (its flags live in memory a filter cannot read), so glibc falls
//     back to clone;
//   - socket for every address family but AF_ALG (38) and AF_VSOCK (40); personality for the values
//   Docker
//     allows; arch_prctl and modify_ldt (x86); ptrace and process_vm_{readv,writev} (Docker
//     allows them on kernels ≥ 4.8); chroot (kiln grants CAP_SYS_CHROOT).
// Not allowed, among others: io_uring_*, mount and the new mount API, unshare, setns, bpf,
// perf_event_open, keyrings, kexec and modules, userfaultfd, open_by_handle_at.
// Architectures: x86_64 and x86 (32-bit programs run); not x32, which Docker lists but Debian
// kernels leave disabled, and whose rules made crun compile the filter ~30 ms longer per sandbox
// start; an x32 syscall gets the bad-architecture action (the process is killed).
// security_seccomp_test.cc checks this against Docker's file.
#pragma once

#include "base/json.h"

namespace kiln::runtime {

// The OCI `linux.seccomp` object.
Json SeccompProfile();

}  // namespace kiln::runtime
