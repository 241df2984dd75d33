// The host end of the kiln-snapshot channel, driven by hand-made messages (no sandbox).
#include "runtime/snapshot_channel.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>

namespace kiln::runtime {
namespace {

using namespace std::string_literals;

TEST(SnapshotRequestTest, ParsesNameAndVersionAndRefusesTheRest) {
  auto ok = ParseSnapshotRequest("snapshot\0foo\0002.*\0"s);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->name, "foo");
  EXPECT_EQ(ok->version, "2.*");
  EXPECT_EQ(ParseSnapshotRequest("snapshot\0foo\0\0"s)->version, "");
  for (const std::string& bad :
       {""s, "snapshot"s, "snapshot\0foo\0"s, "snapshot\0foo\0\0extra\0"s, "delete\0foo\0\0"s,
        "snapshot\0\0\0"s, "snapshot\0"s + std::string(256, 'a') + "\0\0"s,
        "snapshot\0foo\0"s + std::string(65, '1') + "\0"s}) {
    EXPECT_EQ(ParseSnapshotRequest(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

// Sends `message` on `fd` with `fds` attached.
void SendWith(int fd, const std::string& message, const std::vector<int>& fds) {
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  iovec iov{const_cast<char*>(message.data()), message.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ASSERT_EQ(::sendmsg(fd, &msg, 0), static_cast<ssize_t>(message.size())) << strerror(errno);
}

std::string RecvOne(int fd) {
  char buf[8192];
  ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
}

TEST(SnapshotChannelTest, AnswersOnTheAskersSocketAndNeverBlocks) {
  int calls = 0;
  auto ch = SnapshotChannel::Make([&](const SnapshotAsk& a) -> Result<std::string> {
    ++calls;
    return a.name + ":1.0.0";
  });
  ASSERT_TRUE(ch.ok());
  EXPECT_TRUE(ch->Serve());  // nothing waiting: returns at once
  int pair[2], extra[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, extra), 0);
  // Three fds: the first is the answer socket, the others are closed.
  SendWith(ch->sandbox_fd(), "snapshot\0foo\0\0"s, {pair[1], extra[0], extra[1]});
  ::close(pair[1]);
  ::close(extra[0]);
  ::close(extra[1]);
  EXPECT_TRUE(ch->Serve());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(RecvOne(pair[0]), "ok foo:1.0.0");
  EXPECT_EQ(RecvOne(pair[0]), "");  // kiln closed its end of the answer socket
  ::close(pair[0]);
  // Over 4 KiB: refused, the handler not called.
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair), 0);
  SendWith(ch->sandbox_fd(), "snapshot\0"s + std::string(5000, 'a') + "\0\0"s, {pair[1]});
  ::close(pair[1]);
  EXPECT_TRUE(ch->Serve());
  EXPECT_EQ(RecvOne(pair[0]), "error request longer than 4096 bytes");
  ::close(pair[0]);
  EXPECT_EQ(calls, 1);
  // The sandbox's side hangs up: stop watching.
  ch->CloseSandboxEnd();
  EXPECT_FALSE(ch->Serve());
}

TEST(SnapshotChannelTest, AHandlersLongErrorIsCutToOneMessage) {
  auto ch = SnapshotChannel::Make(
      [](const SnapshotAsk&) -> Result<std::string> { return Internal(std::string(10000, 'e')); });
  ASSERT_TRUE(ch.ok());
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair), 0);
  SendWith(ch->sandbox_fd(), "snapshot\0foo\0\0"s, {pair[1]});
  ::close(pair[1]);
  EXPECT_TRUE(ch->Serve());
  std::string answer = RecvOne(pair[0]);
  EXPECT_EQ(answer.size(), 4096u);
  EXPECT_EQ(answer.rfind("error eee", 0), 0u);
  ::close(pair[0]);
}

}  // namespace
}  // namespace kiln::runtime
