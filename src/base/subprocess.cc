#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/fd.h"

namespace kiln {
namespace {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Child side after fork: only async-signal-safe calls.
[[noreturn]] void ExecChild(const std::vector<char*>& argv, char* const* envp, const char* cwd,
                            int in, int out, int err, int errpipe, bool new_group, int pass,
                            int exec_fd, pid_t die_with) {
  if (die_with > 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != die_with) ::_exit(127);  // the parent died before the line above
  }
  ::signal(SIGPIPE, SIG_DFL);
  if (new_group) ::setpgid(0, 0);
  if (in >= 0) ::dup2(in, 0);
  if (out >= 0) ::dup2(out, 1);
  if (err >= 0) ::dup2(err, 2);
  if (pass >= 0) {
    if (errpipe == 3) errpipe = ::fcntl(3, F_DUPFD_CLOEXEC, 4);
    if (exec_fd == 3) exec_fd = ::fcntl(3, F_DUPFD_CLOEXEC, 4);  // -1 on failure: argv[0] then
    if (pass == 3)
      ::fcntl(3, F_SETFD, 0);
    else
      ::dup2(pass, 3);  // dup2 clears FD_CLOEXEC
  }
  ::syscall(SYS_close_range, pass >= 0 ? 4U : 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
  if (cwd != nullptr && ::chdir(cwd) != 0) {
    int e = errno;
    (void)!::write(errpipe, &e, sizeof e);
    ::_exit(127);
  }
  // exec_fd first; should it not execute (a policy refusing memfds, a script), argv[0] as usual.
  if (exec_fd >= 0) ::fexecve(exec_fd, argv.data(), envp != nullptr ? envp : environ);
  if (envp != nullptr) {
    ::execvpe(argv[0], argv.data(), envp);
  } else {
    ::execvp(argv[0], argv.data());
  }
  int e = errno;
  (void)!::write(errpipe, &e, sizeof e);
  ::_exit(127);
}

// How many bytes of `s` from `start` make a piece of at most `max` bytes that does not end
// inside a UTF-8 sequence (a cut in the middle of a character would garble it twice).
size_t Utf8CutPoint(const std::string& s, size_t start, size_t max) {
  size_t cut = max;
  for (int back = 0;
       back < 3 && cut > 1 && (static_cast<unsigned char>(s[start + cut]) & 0xC0) == 0x80; ++back)
    --cut;
  return cut;
}

}  // namespace

void PumpOutput(int out_fd, int err_fd, const SubprocessOptions& options, SubprocessResult& result,
                const PumpWatch& watch) {
  std::string partial[2];
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {watch.fd, POLLIN, 0}};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    if (::poll(fds, fds[2].fd >= 0 ? 3 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0 && !watch.on_ready()) fds[2].fd = -1;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      if (!options.on_line) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
        continue;
      }
      // Only the new bytes are searched, and a line is cut at kMaxOutputLine: memory stays
      // bounded and the work linear whatever the child prints.
      size_t start = 0, from = partial[i].size(), nl;
      partial[i].append(buf, static_cast<size_t>(n));
      while (true) {
        nl = partial[i].find('\n', from);
        size_t end = nl != std::string::npos ? nl : partial[i].size();
        if (end - start > kMaxOutputLine) {
          end = start + Utf8CutPoint(partial[i], start, kMaxOutputLine);
          options.on_line(partial[i].substr(start, end - start), i == 1, true);
          start = from = end;
          continue;
        }
        if (nl == std::string::npos) break;
        options.on_line(partial[i].substr(start, nl - start), i == 1, false);
        start = from = nl + 1;
      }
      partial[i].erase(0, start);
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (options.on_line && !partial[i].empty()) options.on_line(partial[i], i == 1, false);
  }
}

Result<SubprocessResult> RunProcess(const std::vector<std::string>& argv,
                                    const SubprocessOptions& options) {
  if (argv.empty()) return InvalidArgument("empty argv");
  if (options.exec_fd >= 0 && options.exec_fd < 3)
    return InvalidArgument("exec_fd must not be a stdio fd");
  ASSIGN_OR_RETURN(Pipe errpipe, MakePipe());
  ASSIGN_OR_RETURN(Pipe in, MakePipe());
  ASSIGN_OR_RETURN(Pipe out, MakePipe());
  ASSIGN_OR_RETURN(Pipe err, MakePipe());
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv;
  if (options.env) cenv = CStrings(*options.env);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  bool inherit = options.inherit_stdio;
  UniqueFd file_out;
  if (!options.output_file.empty()) {
    ASSIGN_OR_RETURN(file_out, Open(options.output_file, O_WRONLY | O_CREAT | O_APPEND, 0600));
  }
  int child_out = file_out.valid() ? file_out.get() : (inherit ? -1 : out.write.get());
  int child_err = file_out.valid() ? file_out.get() : (inherit ? -1 : err.write.get());

  pid_t parent = options.die_with_parent ? ::getpid() : 0;
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus("fork", errno);
  if (pid == 0) {
    ExecChild(cargv, options.env ? cenv.data() : nullptr, cwd, in.read.get(), child_out, child_err,
              errpipe.write.get(), options.new_process_group, options.pass_fd, options.exec_fd,
              parent);
  }
  errpipe.write.reset();
  file_out.reset();
  in.read.reset();
  out.write.reset();
  err.write.reset();

  int child_errno = 0;
  ssize_t got = ::read(errpipe.read.get(), &child_errno, sizeof child_errno);
  if (got == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    return ErrnoStatus("exec " + argv[0], child_errno);
  }
  if (options.stdin_data) {
    ::signal(SIGPIPE, SIG_IGN);
    (void)WriteAll(in.write.get(), *options.stdin_data);  // Child may not read it all.
  }
  in.write.reset();
  if (options.on_start) options.on_start(pid);

  SubprocessResult result;
  PumpOutput(out.read.get(), err.read.get(), options, result);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

Status SpawnDetached(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  if (argv.empty()) return InvalidArgument("empty argv");
  ASSIGN_OR_RETURN(Pipe errpipe, MakePipe());
  ASSIGN_OR_RETURN(UniqueFd null, Open("/dev/null", O_RDWR));
  UniqueFd file_out;
  if (!options.output_file.empty()) {
    ASSIGN_OR_RETURN(file_out, Open(options.output_file, O_WRONLY | O_CREAT | O_APPEND, 0600));
  }
  int out = file_out.valid() ? file_out.get() : null.get();
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv;
  if (options.env) cenv = CStrings(*options.env);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus("fork", errno);
  if (pid == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);  // the grandchild is re-parented, never kiln's zombie
    ExecChild(cargv, options.env ? cenv.data() : nullptr, cwd, null.get(), out, out,
              errpipe.write.get(), false, -1, -1, 0);
  }
  errpipe.write.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int child_errno = 0;
  if (::read(errpipe.read.get(), &child_errno, sizeof child_errno) == sizeof child_errno) {
    return ErrnoStatus("exec " + argv[0], child_errno);
  }
  return Status::Ok();
}

Result<SubprocessResult> RunChecked(const std::vector<std::string>& argv,
                                    const SubprocessOptions& options) {
  ASSIGN_OR_RETURN(SubprocessResult r, RunProcess(argv, options));
  if (r.exit_code != 0) {
    std::string msg = argv[0] + " exited with " + std::to_string(r.exit_code);
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    if (!err.empty()) msg += ": " + err;
    return Internal(msg);
  }
  return r;
}

}  // namespace kiln
