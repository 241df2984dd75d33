// The host side of kiln-init's exec agent (init/kiln_init.c states the protocol). A sandbox's
// kiln-init listens on a unix socket that kiln binds in the sandbox dir, outside the sandbox's
// filesystem, and hands to crun as fd 3; an exec through it is a connect and a fork instead of
// a `crun exec` (~15 ms saved per step). With on_snapshot, the command can also ask kiln, over a
// socket pair passed with the request, for a capture of the sandbox (kiln-snapshot).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

// Binds and listens on `socket_path` (any length: bound through the directory's fd), mode 0600.
Result<UniqueFd> AgentListen(const std::string& socket_path);

struct AgentExecSpec {
  std::vector<std::string> args;  // args[0] is looked up in the PATH of `env`
  std::vector<std::string> env;
  std::string cwd;
  std::function<void(const std::string& line, bool is_stderr, bool unfinished)> on_line;
  // Set: the command gets a kiln-snapshot channel (init/kiln_init.c states the protocol), whose
  // requests this answers on the AgentExec thread while the command runs (snapshot_channel.h).
  std::function<Result<std::string>(const SnapshotAsk&)> on_snapshot = nullptr;
};

// Runs a command through the agent and returns its exit code (128+N if killed by signal N;
// 127/126 when it could not be started, with the reason on its stderr). NotFound when no agent
// listens at `socket_path` (the caller may fall back to `crun exec`); Unavailable when the
// agent hung up without an exit code (the sandbox ended).
Result<int> AgentExec(const std::string& socket_path, const AgentExecSpec& spec);

// Hands a command to the agent with `out_fd` as its stdout and stderr and hangs up without
// waiting for it (kiln-init keeps it running; its exit code goes nowhere). NotFound as
// AgentExec.
Status AgentSpawn(const std::string& socket_path, const AgentExecSpec& spec, int out_fd);

}  // namespace kiln::runtime
