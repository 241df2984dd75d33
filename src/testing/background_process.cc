#include "testing/background_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <future>

#include "base/fd.h"
#include "base/fs.h"
#include "base/subprocess.h"

namespace kiln::testing {

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_file) {
  std::unique_ptr<BackgroundProcess> p(new BackgroundProcess());
  p->log_file_ = log_file;
  auto started = std::make_shared<std::promise<int>>();
  std::future<int> pid = started->get_future();
  BackgroundProcess* raw = p.get();
  p->waiter_ = std::thread([raw, argv, started] {
    SubprocessOptions opts;
    opts.output_file = raw->log_file_;
    opts.die_with_parent = true;  // a crashed or timed-out test leaves no server behind
    bool announced = false;
    opts.on_start = [started, &announced](int child) {
      announced = true;
      started->set_value(child);
    };
    auto result = RunProcess(argv, opts);
    if (!announced) started->set_value(-1);
    raw->exit_code_ = result.ok() ? result->exit_code : 127;
    raw->exited_ = true;
  });
  p->pid_ = pid.get();
  if (p->pid_ < 0) return Internal("cannot start " + argv[0]);
  return p;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGTERM);
    // Bounded: a child ignoring SIGTERM is killed after ~5 s.
    for (int i = 0; i < 500 && !exited_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!exited_) ::kill(pid_, SIGKILL);
  }
  if (waiter_.joinable()) waiter_.join();
}

std::string BackgroundProcess::Log() const {
  auto log = ReadFile(log_file_);
  return log.ok() ? *log : "";
}

Result<int> FreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoStatus("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return ErrnoStatus("bind 127.0.0.1:0", errno);
  }
  socklen_t len = sizeof(addr);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoStatus("getsockname", errno);
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace kiln::testing
