// For tests of the built-in actions (header only, included by builtin_*_test.cc): a JobContext
// of a job that has not started a sandbox (the built-ins work on host dirs only), its output
// collected in `log`.
#pragma once

#include <memory>
#include <string>

#include "base/fs.h"
#include "workflow/builtin_actions.h"
#include "workflow/job_context.h"

namespace kiln::workflow::testing_support {

struct BuiltinJob {
  // `dir`: the test's scratch dir; the workspace is dir/ws, the job dir dir/job (home in it).
  explicit BuiltinJob(const std::string& dir, const std::string& run_id = "run1") {
    options.workspace = dir + "/ws";
    options.scratch_dir = dir + "/runs";
    options.cache_dir = dir + "/cache";
    options.out = [this](const std::string& l) { log += l + "\n"; };
    (void)MakeDirs(options.workspace);
    (void)MakeDirs(dir + "/job/home");
    ctx.options = &options;
    ctx.host_dir = dir + "/job";
    ctx.workspace_host = options.workspace;
    ctx.run_id = run_id;
    ctx.expr.contexts["github"] = Json::object();
  }
  // Runs the main (or post) phase of `uses` with `with`; outputs into `outputs`.
  Status Run(const std::string& uses, const std::map<std::string, std::string>& with,
             bool post = false) {
    const BuiltinAction* a = FindBuiltinAction(uses);
    if (a == nullptr) return NotFound("no built-in " + uses);
    Step step;
    step.uses = uses;
    outputs = Json::object();
    return post ? a->post(ctx, step, with, outputs) : a->main(ctx, step, with, outputs);
  }
  RunOptions options;
  JobContext ctx;
  Json outputs = Json::object();
  std::string log;
};

}  // namespace kiln::workflow::testing_support
