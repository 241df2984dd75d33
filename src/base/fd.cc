#include "base/fd.h"

#include <fcntl.h>

#include <cerrno>
#include <memory>

namespace kiln {

Result<UniqueFd> OpenAt(int dirfd, const std::string& path, int flags, int mode) {
  int fd;
  do {
    fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  return UniqueFd(fd);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<size_t> ReadSome(int fd, char* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return ErrnoStatus("read", errno);
  }
}

Result<size_t> ReadFull(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ASSIGN_OR_RETURN(size_t r, ReadSome(fd, buf + got, n - got));
    if (r == 0) break;
    got += r;
  }
  return got;
}

Status ReadChunks(int fd, const std::function<Status(std::string_view)>& sink) {
  // Not zero-filled: only the pages a read touches cost anything, so small reads stay cheap.
  constexpr size_t kChunk = size_t{1} << 20;
  auto buf = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, ReadSome(fd, buf.get(), kChunk));
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(sink(std::string_view(buf.get(), n)));
  }
}

Result<std::string> ReadAll(int fd) {
  std::string out;
  RETURN_IF_ERROR(ReadChunks(fd, [&](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  }));
  return out;
}

}  // namespace kiln
