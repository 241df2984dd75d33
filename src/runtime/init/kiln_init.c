/* kiln-init: PID 1 of a kiln sandbox. It reaps orphans, ends the sandbox (exit 0) on SIGTERM,
 * SIGINT or SIGHUP, and, given `--agent FD`, runs commands for kiln: FD is a listening unix
 * socket that kiln made on the host and crun passed in (--preserve-fds); nothing in the sandbox
 * can reach it. An exec through it costs a fork instead of a `crun exec`, and the command gets
 * exactly this process's credentials, capabilities, seccomp filter, rlimits and cgroup — the
 * same as crun would give it, since kiln starts kiln-init with the process spec it execs with.
 * Run under the name kiln-snapshot (argv[0]'s last part), it is that command instead.
 *
 * Protocol (agent.h on the host side is the other half), per connection:
 *   kiln -> init: struct request_header, with SCM_RIGHTS carrying the command's stdout and
 *                 stderr, and optionally a third fd: the sandbox's end of the command's
 *                 snapshot channel; then `payload_len` bytes: cwd, argv[argc], envp[envc], each
 *                 NUL-terminated.
 *   init -> kiln: int32 exit code when the command ends (0-255, 128+N if killed by signal N),
 *                 then the connection is closed. A command that cannot be started reports 127
 *                 (not found) or 126 (not executable), with the reason on its stderr.
 *
 * The snapshot channel (snapshot_protocol.h): a SOCK_SEQPACKET socket that the command gets at
 * fd 1000, inherited by its descendants, with KILN_SNAPSHOT_FD=1000 in its environment (without
 * a channel, KILN_SNAPSHOT_FD is removed from it). This same binary, run as `kiln-snapshot`
 * (kiln_snapshot.c; bind-mounted read-only at /usr/local/bin/kiln-snapshot), is the asker:
 *   asker -> kiln: one message "snapshot\0NAME\0VERSION\0" (at most 4096 bytes, NAME at most
 *                  255, VERSION at most 64, "" = the next minor), with SCM_RIGHTS carrying one
 *                  end of a SOCK_SEQPACKET pair the asker made for the answer.
 *   kiln -> asker: one message on that pair: "ok NAME:X.Y.Z" or "error MESSAGE" (at most 4096
 *                  bytes), then kiln closes its end. kiln never blocks on the channel: it reads
 *                  it only when poll says a message is there, and answers without waiting.
 * kiln serves the channel while the exec runs and closes its end when the exec ends; a request
 * left then is dropped (its answer socket closes, and the asker reports that kiln hung up). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot_protocol.h"

#define KILN_AGENT_MAGIC 0x6b696c6eu /* "kiln" */
#define MAX_PAYLOAD (8u << 20)

struct request_header {
  uint32_t magic, payload_len, argc, envc;
};

struct running {
  pid_t pid;
  int conn;
};

static struct running* running;
static size_t n_running, cap_running;
extern char** environ;
int kiln_snapshot_main(int argc, char** argv); /* kiln_snapshot.c */

static int read_full(int fd, void* buf, size_t len) {
  char* p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Splits `count` NUL-terminated strings off *p (bounded by end) into a NULL-ended array. */
static char** split(char** p, char* end, uint32_t count) {
  char** out = calloc((size_t)count + 1, sizeof *out);
  if (out == NULL) return NULL;
  for (uint32_t i = 0; i < count; ++i) {
    char* nul = memchr(*p, '\0', (size_t)(end - *p));
    if (nul == NULL) return free(out), NULL;
    out[i] = *p;
    *p = nul + 1;
  }
  return out;
}

static void fail_child(const char* what, const char* arg, int err, int code) {
  dprintf(2, "kiln-init: %s %s: %s\n", what, arg, strerror(err));
  _exit(code);
}

static void close_fds(unsigned first, unsigned last) {
  if (first > last) return;
  if (syscall(SYS_close_range, first, last, 0u) != 0) { /* Linux < 5.9 */
    for (unsigned fd = first; fd <= last && fd < 1024; ++fd) close((int)fd);
  }
}

/* In the forked child: become the command. `snap`: its snapshot channel, or -1. */
static void become(int out, int err, int snap, const char* cwd, char** argv, char** envp) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  signal(SIGPIPE, SIG_DFL);
  setsid();
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, 0);
  dup2(out, 1);
  dup2(err, 2);
  const int at = KILN_SNAPSHOT_FD_NUMBER;
  if (snap >= 0 && (snap == at ? fcntl(at, F_SETFD, 0) : dup2(snap, at)) < 0) snap = -1;
  close_fds(3u, snap >= 0 ? (unsigned)at - 1 : ~0u);
  if (snap >= 0) close_fds((unsigned)at + 1, ~0u);
  if (chdir(cwd) != 0) fail_child("chdir", cwd, errno, 127);
  environ = envp;
  if (snap >= 0) {
    char number[16];
    snprintf(number, sizeof number, "%d", at);
    setenv(KILN_SNAPSHOT_FD_ENV, number, 1);
  } else {
    unsetenv(KILN_SNAPSHOT_FD_ENV);
  }
  execvp(argv[0], argv);
  fail_child("exec", argv[0], errno, errno == ENOENT ? 127 : 126);
}

static void start_command(int conn) {
  struct timeval tv = {5, 0}; /* kiln sends the whole request at once; never hang PID 1 */
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct request_header h;
  char control[CMSG_SPACE(3 * sizeof(int))];
  struct iovec iov = {&h, sizeof h};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  int fds[3] = {-1, -1, -1}; /* stdout, stderr, the snapshot channel (optional) */
  if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
      (c->cmsg_len == CMSG_LEN(2 * sizeof(int)) || c->cmsg_len == CMSG_LEN(3 * sizeof(int)))) {
    memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
  }
  char* payload = NULL;
  char **argv = NULL, **envp = NULL;
  if (n != (ssize_t)sizeof h || h.magic != KILN_AGENT_MAGIC || fds[0] < 0 || h.argc == 0 ||
      h.payload_len > MAX_PAYLOAD || (payload = malloc((size_t)h.payload_len + 1)) == NULL ||
      read_full(conn, payload, h.payload_len) != 0) {
    goto done;
  }
  char* p = payload;
  char* end = payload + h.payload_len;
  char* cwd = p;
  char* nul = memchr(p, '\0', (size_t)(end - p));
  if (nul == NULL) goto done;
  p = nul + 1;
  if ((argv = split(&p, end, h.argc)) == NULL || (envp = split(&p, end, h.envc)) == NULL) goto done;
  if (n_running == cap_running) {
    size_t cap = cap_running ? cap_running * 2 : 16;
    struct running* grown = realloc(running, cap * sizeof *grown);
    if (grown == NULL) goto done;
    running = grown;
    cap_running = cap;
  }
  pid_t pid = fork();
  if (pid == 0) become(fds[0], fds[1], fds[2], cwd, argv, envp);
  if (pid > 0) {
    running[n_running++] = (struct running){pid, conn};
    conn = -1; /* answered when the command ends */
  }
done:
  free(argv);
  free(envp);
  free(payload);
  if (fds[0] >= 0) close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);
  if (fds[2] >= 0) close(fds[2]);
  if (conn >= 0) close(conn); /* kiln sees no exit code: the exec failed */
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < n_running; ++i) {
      if (running[i].pid != pid) continue;
      int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      (void)!write(running[i].conn, &code, sizeof code);
      close(running[i].conn);
      running[i] = running[--n_running];
      break;
    }
  }
}

int main(int argc, char** argv) {
  const char* base = argc > 0 ? strrchr(argv[0], '/') : NULL;
  base = base != NULL ? base + 1 : argc > 0 ? argv[0] : "";
  if (strcmp(base, "kiln-snapshot") == 0) return kiln_snapshot_main(argc, argv);
  int listen_fd = -1;
  if (argc == 3 && strcmp(argv[1], "--agent") == 0) {
    listen_fd = atoi(argv[2]);
    fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
  }
  signal(SIGPIPE, SIG_IGN); /* kiln may hang up before a command ends */
  /* Not dumpable: the sandbox's processes cannot ptrace this one or take its fds
   * (pidfd_getfd), so they cannot answer kiln's exec requests in its place. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) return 1;
  struct pollfd fds[2] = {{sfd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, listen_fd >= 0 ? 2 : 1, -1) < 0) continue;
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si) continue;
      if (si.ssi_signo != SIGCHLD) return 0;
      reap();
    }
    if (listen_fd >= 0 && (fds[1].revents & POLLIN)) {
      int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) start_command(conn);
    }
  }
}
