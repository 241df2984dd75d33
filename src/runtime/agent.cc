#include "runtime/agent.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "base/subprocess.h"
#include "runtime/snapshot_channel.h"

namespace kiln::runtime {
namespace {

constexpr uint32_t kMagic = 0x6b696c6e;  // "kiln", as in kiln_init.c
struct RequestHeader {
  uint32_t magic, payload_len, argc, envc;
};

// sun_path holds 108 bytes; a state dir can be deeper. /proc/self/fd/N/NAME always fits.
struct ShortAddress {
  UniqueFd dir;
  sockaddr_un addr{};
};

Result<ShortAddress> AddressOf(const std::string& socket_path) {
  size_t slash = socket_path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : socket_path.substr(0, slash);
  std::string name = socket_path.substr(slash == std::string::npos ? 0 : slash + 1);
  ShortAddress a;
  ASSIGN_OR_RETURN(a.dir, Open(dir.empty() ? "/" : dir, O_PATH | O_DIRECTORY));
  std::string path = "/proc/self/fd/" + std::to_string(a.dir.get()) + "/" + name;
  if (path.size() >= sizeof a.addr.sun_path)
    return InvalidArgument("socket name too long: " + name);
  a.addr.sun_family = AF_UNIX;
  std::memcpy(a.addr.sun_path, path.c_str(), path.size() + 1);
  return a;
}

Result<UniqueFd> NewSocket() {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  return UniqueFd(fd);
}

// `snap`: the sandbox's end of the snapshot channel, or -1.
Status SendRequest(int conn, const AgentExecSpec& spec, int out, int err, int snap) {
  std::string payload = spec.cwd + '\0';
  for (const auto& a : spec.args) payload += a + '\0';
  for (const auto& e : spec.env) payload += e + '\0';
  RequestHeader h{kMagic, static_cast<uint32_t>(payload.size()),
                  static_cast<uint32_t>(spec.args.size()), static_cast<uint32_t>(spec.env.size())};
  int fds[3] = {out, err, snap};
  size_t fds_size = (snap >= 0 ? 3 : 2) * sizeof(int);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec iov{&h, sizeof h};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(fds_size);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(fds_size);
  std::memcpy(CMSG_DATA(c), fds, fds_size);
  if (::sendmsg(conn, &msg, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof h))
    return ErrnoStatus("send to kiln-init", errno);
  return WriteAll(conn, payload);
}

Result<UniqueFd> Connect(const std::string& socket_path) {
  ASSIGN_OR_RETURN(ShortAddress a, AddressOf(socket_path));
  ASSIGN_OR_RETURN(UniqueFd conn, NewSocket());
  if (::connect(conn.get(), reinterpret_cast<sockaddr*>(&a.addr), sizeof a.addr) != 0) {
    int e = errno;
    if (e == ENOENT || e == ECONNREFUSED) return NotFound("no exec agent at " + socket_path);
    return ErrnoStatus("connect " + socket_path, e);
  }
  return conn;
}

// Reads what kiln-init sends until it hangs up, serving `watch` meanwhile: a process of the exec
// that closed its stdout and stderr may still ask for a snapshot.
Result<std::string> ReadExitCode(int conn, PumpWatch watch) {
  std::string answer;
  pollfd fds[2] = {{conn, POLLIN, 0}, {watch.fd, POLLIN, 0}};
  while (true) {
    if (::poll(fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("poll kiln-init", errno);
    }
    if (fds[1].fd >= 0 && fds[1].revents != 0 && !watch.on_ready()) fds[1].fd = -1;
    if (fds[0].revents == 0) continue;
    char buf[64];
    ASSIGN_OR_RETURN(size_t n, ReadSome(conn, buf, sizeof buf));
    if (n == 0) return answer;
    if (answer.size() < 64) answer.append(buf, n);
  }
}

}  // namespace

Result<UniqueFd> AgentListen(const std::string& socket_path) {
  ASSIGN_OR_RETURN(ShortAddress a, AddressOf(socket_path));
  ASSIGN_OR_RETURN(UniqueFd fd, NewSocket());
  ::unlink(socket_path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a.addr), sizeof a.addr) != 0)
    return ErrnoStatus("bind " + socket_path, errno);
  if (::chmod(socket_path.c_str(), 0600) != 0) return ErrnoStatus("chmod " + socket_path, errno);
  if (::listen(fd.get(), 64) != 0) return ErrnoStatus("listen " + socket_path, errno);
  return fd;
}

Status AgentSpawn(const std::string& socket_path, const AgentExecSpec& spec, int out_fd) {
  if (spec.args.empty()) return InvalidArgument("spawn: no command");
  ASSIGN_OR_RETURN(UniqueFd conn, Connect(socket_path));
  // What was sent stays readable after the hang-up: kiln-init starts the command all the same.
  return SendRequest(conn.get(), spec, out_fd, out_fd, -1);
}

Result<int> AgentExec(const std::string& socket_path, const AgentExecSpec& spec) {
  if (spec.args.empty()) return InvalidArgument("exec: no command");
  ASSIGN_OR_RETURN(UniqueFd conn, Connect(socket_path));
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd err_r(err[0]), err_w(err[1]);
  std::optional<SnapshotChannel> channel;
  if (spec.on_snapshot) {
    ASSIGN_OR_RETURN(channel, SnapshotChannel::Make(spec.on_snapshot));
  }
  RETURN_IF_ERROR(SendRequest(conn.get(), spec, out_w.get(), err_w.get(),
                              channel ? channel->sandbox_fd() : -1));
  out_w.reset();
  err_w.reset();
  PumpWatch watch;
  if (channel) {
    channel->CloseSandboxEnd();
    watch = {channel->host_fd(), [&] { return channel->Serve(); }};
  }
  SubprocessOptions pump;
  pump.on_line = spec.on_line ? spec.on_line : [](const std::string&, bool, bool) {};
  SubprocessResult ignored;
  PumpOutput(out_r.get(), err_r.get(), pump, ignored, watch);
  // kiln-init writes the exit code and hangs up; nothing at all means it went away first.
  ASSIGN_OR_RETURN(std::string answer, ReadExitCode(conn.get(), watch));
  int32_t code = -1;
  if (answer.size() != sizeof code)
    return Unavailable("kiln-init hung up without an exit code (the sandbox ended?)");
  std::memcpy(&code, answer.data(), sizeof code);
  return static_cast<int>(code);
}

}  // namespace kiln::runtime
