// Running other programs (crun, mount helpers, test peers) without a shell.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln {

// The longest line SubprocessOptions::on_line receives; longer lines are split.
inline constexpr size_t kMaxOutputLine = 64 * 1024;

struct SubprocessOptions {
  // Full environment of the child; nullopt inherits kiln's.
  std::optional<std::vector<std::string>> env;
  std::string cwd;                        // Empty: kiln's cwd.
  std::optional<std::string> stdin_data;  // nullopt: /dev/null.
  // Called once per complete line of output (without the '\n'); a final unterminated line is
  // delivered too. A line longer than kMaxOutputLine bytes arrives in pieces of at most that
  // size (cut between UTF-8 characters), each a call of its own, so memory stays bounded
  // whatever the child prints: every piece but the last has `unfinished` set (the line goes on
  // in the next call for the same stream), so a receiver can tell a piece from a whole line.
  // When unset, output is captured into SubprocessResult.
  std::function<void(const std::string& line, bool is_stderr, bool unfinished)> on_line;
  bool inherit_stdio = false;  // Child writes straight to kiln's stdout/stderr.
  // When set, the child's stdout and stderr are appended to this file instead (for programs
  // that leave long-lived children holding their output, like `crun run --detach`).
  std::string output_file;
  // The child leads a new process group (its pid), so it and its descendants can be signalled
  // together with kill(-pid, sig).
  bool new_process_group = false;
  // Called with the child's pid once it runs (before its output is read).
  std::function<void(int pid)> on_start;
  // This fd becomes the child's fd 3, left open across exec (for `crun --preserve-fds 1`).
  int pass_fd = -1;
  // When set (an fd >= 3), the program run is this open executable (fexecve), not argv[0]'s
  // file; argv[0] is still the child's argv[0] and what messages name. Should the fd not
  // execute, argv[0] is run as without it.
  int exec_fd = -1;
  // The child gets SIGKILL when its parent goes (PR_SET_PDEATHSIG, set before exec; a parent
  // already gone by then makes the child exit 127 before exec): for helpers that must not
  // outlive a crashed or killed caller, such as test servers. Linux ties the signal to the
  // *thread* that forked: call RunProcess from a thread that lives as long as the child (it
  // does: RunProcess waits for it). Lost across exec of a set-uid program.
  bool die_with_parent = false;
};

struct SubprocessResult {
  int exit_code = -1;  // 0-255 on exit; 128+N when killed by signal N.
  std::string out;     // Captured stdout (only when on_line is unset and not inherited).
  std::string err;     // Captured stderr (likewise).
};

// Runs argv[0] (looked up in PATH when it has no '/') and waits. All of kiln's other fds are
// closed in the child. Returns an error only when the program could not be started; a non-zero
// exit is reported in exit_code.
Result<SubprocessResult> RunProcess(const std::vector<std::string>& argv,
                                    const SubprocessOptions& options = {});

// Starts argv in the background, detached: its own session, stdio on /dev/null, not a child of
// kiln (it is not waited for and outlives kiln). Errors only when it could not be started.
// Of `options`, env, cwd and output_file (stdout and stderr appended there) are honoured.
Status SpawnDetached(const std::vector<std::string>& argv, const SubprocessOptions& options = {});

// An fd watched while output is pumped: `on_ready` runs on the pumping thread whenever `fd` is
// readable or hung up, and returns false to stop watching it. The pump does not wait for it.
struct PumpWatch {
  int fd = -1;
  std::function<bool()> on_ready;
};

// Reads `out_fd` and `err_fd` until both reach EOF, delivering lines to options.on_line as
// RunProcess does, or, when it is unset, appending to result.out / result.err.
void PumpOutput(int out_fd, int err_fd, const SubprocessOptions& options, SubprocessResult& result,
                const PumpWatch& watch = {});

// RunProcess that also fails (Internal, with the program's stderr) when the exit code is not 0.
Result<SubprocessResult> RunChecked(const std::vector<std::string>& argv,
                                    const SubprocessOptions& options = {});

}  // namespace kiln
