#include "workflow/workspace_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln::workflow {
namespace {

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Mode, owner (as root) and mtime of `dst` as `st` says; never follows a symlink: all but a
// link's are set through an O_PATH fd of `dst` (its /proc/self/fd link reaches that inode only),
// so an entry a job's process swaps for a link meanwhile is refused, not followed.
Status SetMeta(const std::string& dst, const struct stat& st) {
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (S_ISLNK(st.st_mode)) {
    if (::geteuid() == 0 && ::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0)
      return Errno("chown " + dst);
    if (::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return Errno("utimes " + dst);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(UniqueFd fd, Open(dst, O_PATH | O_NOFOLLOW));
  struct stat now;
  if (::fstat(fd.get(), &now) != 0) return Errno("stat " + dst);
  if ((now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
    return FailedPrecondition(dst + " changed type while it was copied; not following it");
  std::string self = "/proc/self/fd/" + std::to_string(fd.get());
  if (::chmod(self.c_str(), st.st_mode & 07777) != 0) return Errno("chmod " + dst);
  if (::geteuid() == 0 && ::fchownat(fd.get(), "", st.st_uid, st.st_gid, AT_EMPTY_PATH) != 0)
    return Errno("chown " + dst);
  if (::geteuid() == 0 && (st.st_mode & 06000) && ::chmod(self.c_str(), st.st_mode & 07777) != 0)
    return Errno("chmod " + dst);  // chown cleared set-id bits
  if (::utimensat(AT_FDCWD, self.c_str(), times, 0) != 0) return Errno("utimes " + dst);
  return Status::Ok();
}

Result<int64_t> CopyData(const std::string& src, const std::string& dst, const struct stat& st) {
  ASSIGN_OR_RETURN(UniqueFd in, Open(src, O_RDONLY | O_NOFOLLOW));
  ASSIGN_OR_RETURN(UniqueFd out, Open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  if (::ioctl(out.get(), FICLONE, in.get()) == 0) return st.st_size;
  int64_t left = st.st_size;
  bool kernel = true;
  char buf[1 << 16];
  while (left > 0) {
    ssize_t n = kernel ? ::copy_file_range(in.get(), nullptr, out.get(), nullptr, left, 0) : -1;
    if (n < 0 && kernel &&
        (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      kernel = false;
      continue;
    }
    if (!kernel) {
      n = ::read(in.get(), buf, sizeof buf);
      if (n > 0) RETURN_IF_ERROR(WriteAll(out.get(), std::string_view(buf, n)));
    }
    if (n < 0) return Errno("copy " + src);
    if (n == 0) break;  // the file shrank while copied
    left -= n;
  }
  return st.st_size - left;
}

struct Work {
  std::string src, dst;
  struct stat st;
};

class Syncer {
 public:
  Status Dir(const std::string& s, const std::string& d, const std::string& rel);
  const std::set<std::string>* skip = nullptr;
  bool remove_extra = true;
  std::vector<Work> files, dirs;
  SyncStats stats;

 private:
  Status Entry(const std::string& s, const std::string& d, const std::string& rel);
  Status Remove(const std::string& d);
};

Status Syncer::Remove(const std::string& d) {
  ++stats.entries_removed;
  struct stat st;
  if (::lstat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return RemoveTree(d);
  if (::unlink(d.c_str()) != 0 && errno != ENOENT) return Errno("remove " + d);
  return Status::Ok();
}

Status Syncer::Entry(const std::string& s, const std::string& d, const std::string& rel) {
  struct stat st, dt;
  if (::lstat(s.c_str(), &st) != 0) return errno == ENOENT ? Status::Ok() : Errno("stat " + s);
  bool have = ::lstat(d.c_str(), &dt) == 0;
  if (have && (st.st_mode & S_IFMT) != (dt.st_mode & S_IFMT)) {
    RETURN_IF_ERROR(Remove(d));
    have = false;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!have && ::mkdir(d.c_str(), 0700) != 0) return Errno("mkdir " + d);
    dirs.push_back({s, d, st});  // its meta after its files are written
    return Dir(s, d, rel);
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(st.st_size + 1, '\0'), old(4096, '\0');
    ssize_t n = ::readlink(s.c_str(), target.data(), target.size());
    if (n < 0) return Errno("readlink " + s);
    target.resize(n);
    if (have) {
      ssize_t m = ::readlink(d.c_str(), old.data(), old.size());
      if (m >= 0 && old.substr(0, m) == target) return Status::Ok();
      RETURN_IF_ERROR(Remove(d));
    }
    if (::symlink(target.c_str(), d.c_str()) != 0) return Errno("symlink " + d);
    return SetMeta(d, st);
  }
  if (!S_ISREG(st.st_mode)) return Status::Ok();  // sockets, fifos, devices: left out
  if (have && dt.st_size == st.st_size && SameTime(dt.st_mtim, st.st_mtim)) {
    bool owner = ::geteuid() == 0 && (dt.st_uid != st.st_uid || dt.st_gid != st.st_gid);
    if ((dt.st_mode & 07777) != (st.st_mode & 07777) || owner) return SetMeta(d, st);
    return Status::Ok();
  }
  if (have) RETURN_IF_ERROR(Remove(d));
  files.push_back({s, d, st});
  return Status::Ok();
}

Status Syncer::Dir(const std::string& s, const std::string& d, const std::string& rel) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(s));
  ASSIGN_OR_RETURN(std::vector<std::string> old, ListDir(d));
  auto skipped = [&](const std::string& n) {
    return skip != nullptr && skip->count(rel.empty() ? n : rel + "/" + n) > 0;
  };
  std::set<std::string> keep;
  for (const auto& n : names) {
    if (!skipped(n)) keep.insert(n);
  }
  for (const auto& n : old) {
    if (remove_extra && !keep.count(n)) RETURN_IF_ERROR(Remove(JoinPath(d, n)));
  }
  for (const auto& n : keep)
    RETURN_IF_ERROR(Entry(JoinPath(s, n), JoinPath(d, n), rel.empty() ? n : rel + "/" + n));
  return Status::Ok();
}

}  // namespace

Result<SyncStats> SyncTree(const std::string& src, const std::string& dst, int threads,
                           const std::set<std::string>& skip, bool remove_extra) {
  struct stat st;
  if (::stat(src.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return NotFound("workspace " + src + " is not a directory");
  RETURN_IF_ERROR(MakeDirs(dst, 0755));
  Syncer sync;
  sync.skip = &skip;
  sync.remove_extra = remove_extra;
  RETURN_IF_ERROR(sync.Dir(src, dst, ""));
  // File data last, on several threads (the directories exist by now).
  std::atomic<size_t> next{0};
  std::atomic<int64_t> bytes{0};
  std::mutex mu;
  Status first = Status::Ok();
  auto worker = [&] {
    for (size_t i; (i = next++) < sync.files.size();) {
      const Work& w = sync.files[i];
      auto n = CopyData(w.src, w.dst, w.st);
      Status s = n.ok() ? SetMeta(w.dst, w.st) : n.status();
      if (n.ok()) bytes += *n;
      if (!s.ok()) {
        std::lock_guard<std::mutex> l(mu);
        if (first.ok()) first = s;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(threads, 1); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  RETURN_IF_ERROR(first);
  // Directories last (deepest first): a read-only one is written into before it is made so,
  // and the files written into them changed their mtimes.
  for (auto it = sync.dirs.rbegin(); it != sync.dirs.rend(); ++it)
    RETURN_IF_ERROR(SetMeta(it->dst, it->st));
  RETURN_IF_ERROR(SetMeta(dst, st));
  sync.stats.files_copied = static_cast<int>(sync.files.size());
  sync.stats.bytes_copied = bytes;
  return sync.stats;
}

}  // namespace kiln::workflow
