// How `kiln run` reads its command line into workflow::RunOptions (internal to cli/): the
// flags, which workflows and event, the values (secrets, env, vars, inputs) from flags and
// act's default files, and the github context.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/flags.h"
#include "workflow/runner.h"

namespace kiln::cli {

// Every flag of kiln run (also what .kilnrc lines may hold).
const std::vector<FlagSpec>& RunFlagSpecs();

struct RunTarget {
  std::string path = ".github/workflows";  // a workflow file or a directory of them
  bool named_file = false;                 // path is a file named on the command line
  std::string event;                       // --event or a positional; "" = ChooseEvent's
  bool positional_path = false;            // path came from a positional argument
};

// -W/--workflows PATH always names a path; a positional argument that exists as a path (or
// looks like one: it has a '/' or ends in .yml/.yaml) names the workflows, any other is the
// event (`kiln run pull_request`). InvalidArgument for two paths, two different events, a
// missing path that looks like one, or more than two positional arguments.
Result<RunTarget> ChooseRunTarget(const Flags& flags,
                                  const std::function<bool(const std::string&)>& exists);

// Secrets (--secret-file, else DIR/.secrets; then each -s), env (--env-file, else DIR/.env;
// then each --env), vars (--var-file, else DIR/.vars; then each --var) and inputs
// (--input-file, else DIR/.input; then each --input). A file named by a flag must exist; a
// default one is read only when it does. A bad line is an error naming FILE:LINE. The secret
// files read are added to o.workspace_skip (left out of the jobs' workspace copies).
Status LoadRunValues(const Flags& flags, const std::string& dir, workflow::RunOptions& o);

// o.github for o.event (already chosen): the repository at DIR, the payload of
// -e/--eventpath FILE (a JSON object; else an error naming FILE), --actor,
// --github-instance, --defaultbranch, --remote-name, and o.inputs and o.env.
Status LoadGithub(const Flags& flags, const std::string& dir, workflow::RunOptions& o);

}  // namespace kiln::cli
