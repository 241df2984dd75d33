// The host end of an exec's kiln-snapshot channel (internal to runtime/; init/kiln_init.c states
// the protocol, init/snapshot_protocol.h its limits). AgentExec makes one per exec whose spec has
// an on_snapshot handler, hands the sandbox's end to kiln-init with the request, and calls Serve
// whenever the host end is readable while the exec runs.
//
// Nothing a process in the sandbox sends can make kiln block or grow without bound: each call
// reads one message that is already there (MSG_DONTWAIT), at most 4 KiB (a longer one is cut by
// the kernel and refused), takes at most one fd with it, and answers with a non-blocking send
// (an answer the asker cannot take is dropped). A request that brings no answer socket is never
// carried out; if it is malformed, the error goes back on the channel itself.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

using SnapshotHandler = std::function<Result<std::string>(const SnapshotAsk&)>;

// "snapshot\0NAME\0VERSION\0" → {NAME, VERSION}; InvalidArgument saying what is wrong (unknown
// verb, missing or extra fields, an empty or over-long name, an over-long version).
Result<SnapshotAsk> ParseSnapshotRequest(std::string_view message);

class SnapshotChannel {
 public:
  // A SOCK_SEQPACKET pair; `handler` answers the requests.
  static Result<SnapshotChannel> Make(SnapshotHandler handler);

  int host_fd() const { return host_.get(); }
  int sandbox_fd() const { return sandbox_.get(); }
  // After the sandbox's end was sent: kiln keeps only its own, so the sandbox hanging up shows.
  void CloseSandboxEnd() { sandbox_.reset(); }
  // Serves the message waiting, if any, without blocking. False once the sandbox's side has
  // hung up (no process holds its end any more): stop watching the channel.
  bool Serve();

 private:
  SnapshotChannel(UniqueFd host, UniqueFd sandbox, SnapshotHandler handler)
      : host_(std::move(host)), sandbox_(std::move(sandbox)), handler_(std::move(handler)) {}
  std::string Answer(std::string_view message, bool truncated, bool answerable);
  UniqueFd host_, sandbox_;
  SnapshotHandler handler_;
};

}  // namespace kiln::runtime
