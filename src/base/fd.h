// Owned file descriptors and small fd-based I/O helpers. Every fd kiln opens is O_CLOEXEC.
#pragma once

#include <unistd.h>

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiln {

// Owns one fd; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added; `dirfd` may be AT_FDCWD.
Result<UniqueFd> OpenAt(int dirfd, const std::string& path, int flags, int mode = 0);
inline Result<UniqueFd> Open(const std::string& path, int flags, int mode = 0) {
  return OpenAt(-100 /* AT_FDCWD */, path, flags, mode);
}
// Writes all of `data`, retrying on EINTR and short writes.
Status WriteAll(int fd, std::string_view data);
// Reads until EOF.
Result<std::string> ReadAll(int fd);
// Reads until EOF, handing each chunk (up to 1 MiB) to `sink`; stops at the first error.
Status ReadChunks(int fd, const std::function<Status(std::string_view)>& sink);
// Reads until `n` bytes or EOF, retrying on EINTR and short reads; returns how many were read.
Result<size_t> ReadFull(int fd, char* buf, size_t n);
// Reads up to `n` bytes, retrying on EINTR. Returns 0 at EOF.
Result<size_t> ReadSome(int fd, char* buf, size_t n);

}  // namespace kiln
