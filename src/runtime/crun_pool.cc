#include "runtime/crun_pool.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <sstream>

#include "base/fd.h"
#include "base/fs.h"
#include "runtime/owner.h"

namespace kiln::runtime {

Status WritePoolTicket(const std::string& dir, const std::string& key, int init_pid) {
  std::string init = ProcessToken(init_pid);
  if (init.empty())
    return NotFound("pooled sandbox's init (pid " + std::to_string(init_pid) + ") is gone");
  return WriteScratchFile(dir + "/pool", key + " " + init, 0600);
}

Result<PoolTicket> ReadPoolTicket(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/pool"));
  std::istringstream in(text);
  PoolTicket t;
  std::string start;
  if (!(in >> t.key >> t.init_pid >> start)) return DataLoss("bad pool ticket in " + dir);
  t.init_token = std::to_string(t.init_pid) + " " + start;
  return t;
}

bool ClaimPooled(const std::string& dir) {
  // A name of this thread's own: two threads of one process may claim the same sandbox at once.
  static std::atomic<uint64_t> seq{0};
  std::string mine = dir + "/claim." + std::to_string(::getpid()) + "." + std::to_string(seq++);
  if (!WriteScratchFile(mine, OwnerToken(), 0600).ok()) return false;
  bool won = ::link(mine.c_str(), (dir + "/claim").c_str()) == 0;
  ::unlink(mine.c_str());
  if (!won) return false;
  ::unlink((dir + "/pool").c_str());
  return WriteScratchFile(dir + "/owner", OwnerToken(), 0600).ok();
}

bool PooledWanted(const std::string& dir, const std::string& owner) {
  if (auto claim = ReadFile(dir + "/claim"); claim.ok()) return OwnerAlive(*claim);
  if (auto ticket = ReadPoolTicket(dir); ticket.ok()) return OwnerAlive(ticket->init_token);
  return OwnerAlive(owner.substr(std::string(kPoolOwnerPrefix).size()));  // still being filled
}

namespace {

// Every proper prefix of an absolute path, then the path: "/a/b" -> "/a", "/a/b".
std::vector<std::string> Prefixes(const std::string& path) {
  std::vector<std::string> out;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') out.push_back(path.substr(0, i));
  }
  return out;
}

struct Failure {
  int index, step, err;  // step: 0 setns, 1 mkdir, 2 move_mount
};

}  // namespace

Status MountInto(int init_pid, const std::vector<BindMount>& mounts) {
  std::vector<UniqueFd> trees;
  for (const auto& m : mounts) {
    int fd = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, m.source.c_str(),
                                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (fd < 0) return ErrnoStatus("open_tree " + m.source, errno);
    trees.emplace_back(fd);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m.read_only ? MOUNT_ATTR_RDONLY : 0);
    if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) !=
        0) {
      return ErrnoStatus("mount_setattr " + m.source, errno);
    }
  }
  ASSIGN_OR_RETURN(UniqueFd ns, Open("/proc/" + std::to_string(init_pid) + "/ns/mnt", O_RDONLY));
  std::vector<std::vector<std::string>> dirs;
  for (const auto& m : mounts) dirs.push_back(Prefixes(m.destination));
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd report_r(report[0]), report_w(report[1]);
  pid_t child = ::fork();
  if (child < 0) return ErrnoStatus("fork", errno);
  if (child == 0) {  // only system calls from here: the parent may have other threads
    auto fail = [&](int index, int step) {
      Failure f{index, step, errno};
      (void)!::write(report_w.get(), &f, sizeof f);
      ::_exit(1);
    };
    if (::setns(ns.get(), CLONE_NEWNS) != 0) fail(-1, 0);
    for (size_t i = 0; i < mounts.size(); ++i) {
      for (const auto& d : dirs[i]) {
        if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) fail(static_cast<int>(i), 1);
      }
      if (::syscall(SYS_move_mount, trees[i].get(), "", AT_FDCWD, mounts[i].destination.c_str(),
                    MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        fail(static_cast<int>(i), 2);
      }
    }
    ::_exit(0);
  }
  report_w.reset();
  Failure f{};
  ssize_t n = ::read(report_r.get(), &f, sizeof f);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof f)) {
    static const char* kWhat[] = {"enter the sandbox's mount namespace", "mkdir", "mount"};
    std::string where = f.index < 0 ? "" : " " + mounts[f.index].destination;
    return ErrnoStatus(std::string(kWhat[f.step]) + where, f.err);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Internal("mounting into the sandbox failed");
  return Status::Ok();
}

}  // namespace kiln::runtime
