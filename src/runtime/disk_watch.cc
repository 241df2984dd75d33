#include "runtime/disk_watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/fd.h"

namespace kiln::runtime {
namespace {

constexpr size_t kMaxDepth = 1024;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

DirPtr OpenDir(int fd) {
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (d == nullptr && fd >= 0) ::close(fd);
  return DirPtr(d);
}

}  // namespace

Result<int64_t> AllocatedBytes(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + dir, errno);
  struct stat top {};
  if (::fstat(fd, &top) != 0) {
    ::close(fd);
    return ErrnoStatus("stat " + dir, errno);
  }
  int64_t bytes = static_cast<int64_t>(top.st_blocks) * 512;
  std::set<std::pair<dev_t, ino_t>> linked;  // inodes with more than one name, counted once
  // Depth first with a stack of open dirs (no recursion, at most kMaxDepth fds).
  std::vector<DirPtr> stack;
  stack.push_back(OpenDir(fd));
  while (!stack.empty()) {
    DIR* d = stack.back().get();
    dirent* e = d == nullptr ? nullptr : ::readdir(d);
    if (e == nullptr) {
      stack.pop_back();
      continue;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != top.st_dev)
      continue;
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !linked.insert({st.st_dev, st.st_ino}).second)
      continue;
    bytes += static_cast<int64_t>(st.st_blocks) * 512;
    if (!S_ISDIR(st.st_mode)) continue;
    // What cannot be measured is not let through: a tree deeper than this is refused.
    if (stack.size() >= kMaxDepth)
      return FailedPrecondition(dir + " is nested deeper than " + std::to_string(kMaxDepth) +
                                " directories");
    int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0 && errno != ENOENT) return ErrnoStatus("open a directory under " + dir, errno);
    stack.push_back(OpenDir(sub));
  }
  return bytes;
}

DiskWatch::DiskWatch(std::function<Status()> check, std::function<void()> on_fail)
    : check_(std::move(check)), on_fail_(std::move(on_fail)), thread_([this] { Run(); }) {}

DiskWatch::~DiskWatch() { Stop(); }

void DiskWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status DiskWatch::verdict() const {
  std::lock_guard<std::mutex> lock(mu_);
  return verdict_;
}

void DiskWatch::Run() {
  auto pause = std::chrono::milliseconds(200);
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, pause, [this] { return stop_; })) return;
    }
    Stopwatch took;
    Status s = check_();
    // A big tree costs more to walk: look less often, so the watch takes at most ~20% of a CPU.
    pause = std::max(std::chrono::milliseconds(200),
                     std::chrono::milliseconds(static_cast<int64_t>(took.Seconds() * 4000)));
    if (s.ok()) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      verdict_ = s;
    }
    on_fail_();
    return;
  }
}

}  // namespace kiln::runtime
