#include "runtime/snapshot_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/init/snapshot_protocol.h"

namespace kiln::runtime {
namespace {

// An answer fits one message; the rest of a long error is cut.
std::string Fit(std::string answer) {
  if (answer.size() > KILN_SNAPSHOT_MAX_MESSAGE) answer.resize(KILN_SNAPSHOT_MAX_MESSAGE);
  return answer;
}

void SendAnswer(int fd, const std::string& answer) {
  (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

Result<SnapshotAsk> ParseSnapshotRequest(std::string_view message) {
  std::vector<std::string_view> fields;
  while (!message.empty()) {
    size_t nul = message.find('\0');
    if (nul == std::string_view::npos)
      return InvalidArgument("malformed request: a field is not NUL-terminated");
    fields.push_back(message.substr(0, nul));
    message.remove_prefix(nul + 1);
  }
  if (fields.size() != 3 || fields[0] != KILN_SNAPSHOT_VERB)
    return InvalidArgument("malformed request: expected snapshot, NAME and VERSION");
  if (fields[1].empty()) return InvalidArgument("no image name given");
  if (fields[1].size() > KILN_SNAPSHOT_MAX_NAME)
    return InvalidArgument("image name longer than " + std::to_string(KILN_SNAPSHOT_MAX_NAME) +
                           " bytes");
  if (fields[2].size() > KILN_SNAPSHOT_MAX_VERSION)
    return InvalidArgument("--version longer than " + std::to_string(KILN_SNAPSHOT_MAX_VERSION) +
                           " bytes");
  return SnapshotAsk{std::string(fields[1]), std::string(fields[2])};
}

Result<SnapshotChannel> SnapshotChannel::Make(SnapshotHandler handler) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    return ErrnoStatus("socketpair for kiln-snapshot", errno);
  return SnapshotChannel(UniqueFd(pair[0]), UniqueFd(pair[1]), std::move(handler));
}

std::string SnapshotChannel::Answer(std::string_view message, bool truncated, bool answerable) {
  if (truncated) {
    return "error request longer than " + std::to_string(KILN_SNAPSHOT_MAX_MESSAGE) + " bytes";
  }
  auto ask = ParseSnapshotRequest(message);
  if (!ask.ok()) return "error " + ask.status().message();
  // Its answer would be lost, and the asker could not tell a capture happened: not carried out.
  if (!answerable) return "error request without an answer socket (run kiln-snapshot)";
  auto made = handler_(*ask);
  if (!made.ok()) return "error " + made.status().message();
  return "ok " + *made;
}

bool SnapshotChannel::Serve() {
  char buf[KILN_SNAPSHOT_MAX_MESSAGE];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(host_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;  // else: broken
  UniqueFd reply;  // the asker's answer socket; fds past the first were never installed
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!reply.valid()) {
        reply.reset(fd);
      } else {
        ::close(fd);
      }
    }
  }
  if (n == 0 && !reply.valid()) {
    // SOCK_SEQPACKET: 0 bytes is the sandbox's side hanging up (then POLLHUP), or an empty message.
    pollfd p{host_.get(), POLLIN, 0};
    return !(::poll(&p, 1, 0) > 0 && (p.revents & POLLHUP));
  }
  bool truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  std::string answer =
      Answer(std::string_view(buf, static_cast<size_t>(n)), truncated, reply.valid());
  // Without an answer socket (a hand-made request), the error goes back on the channel itself.
  SendAnswer(reply.valid() ? reply.get() : host_.get(), Fit(answer));
  return true;
}

}  // namespace kiln::runtime
