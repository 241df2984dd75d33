// The phases of the built-in actions (internal to workflow/; each in builtin_<name>.cc, put
// in the table by builtin_actions.cc). Signatures are BuiltinPhase's (builtin_actions.h).
#pragma once

#include <map>
#include <string>

#include "base/json.h"
#include "base/status.h"
#include "workflow/job_context.h"
#include "workflow/model.h"

namespace kiln::workflow {

using StepInputs = std::map<std::string, std::string>;

// A warning of a built-in action: a line of the job's log and an annotation in its report
// (builtin_paths.cc).
void BuiltinWarning(JobContext& ctx, const std::string& message);

// actions/checkout (builtin_checkout.cc). Outputs ref, commit.
Status CheckoutMain(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);
// actions/checkout of the local repository `src` (no ref, no path) when the workspace is the
// job's copy of its working tree (builtin_checkout_tree.cc): leaves the working tree there,
// uncommitted changes included; `clean` syncs it again from `src`; a git repository's .git
// becomes a clone of HEAD `depth` commits deep (0 = all). Outputs ref, commit.
Status CheckoutWorkingTree(JobContext& ctx, const std::string& src, bool clean, int depth,
                           Json& outputs);

// actions/cache (builtin_cache.cc): main restores (output cache-hit, cache-matched-key), post
// saves when the job succeeded and the key was not an exact hit. cache/restore and cache/save
// are the two halves as steps of their own.
Status CacheRestore(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);
Status CachePost(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);
Status CacheSave(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);

// actions/upload-artifact and actions/download-artifact (builtin_artifact.cc).
Status UploadArtifact(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);
Status DownloadArtifact(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs);
// The dir of this run's artifacts: RunOptions::artifact_dir/<run id>, or by default
// <scratch dir>/<run id>-artifacts (removed with the run's scratch).
std::string ArtifactRunDir(const RunOptions& options, const std::string& run_id);

}  // namespace kiln::workflow
