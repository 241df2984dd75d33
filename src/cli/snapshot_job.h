// `snapshot:` on a job: after the job, capture its sandbox as a new custom-image version.
#pragma once

#include "cli/app.h"
#include "workflow/runner.h"

namespace kiln::cli {

// Does nothing for jobs without `snapshot:` or whose snapshot `if` does not hold (default
// success()). Otherwise: Capture (snapshot/capture.h), apply the image's retention policy, and
// move the sandbox's upper dir into the layer cache so the next job starts without unpacking.
// The job's log shows progress and the result (name, version, digest, size, seconds).
Status SnapshotJob(App& app, workflow::FinishedJob& job);

// The environment persist-env writes into the image: the job's final PATH and the variables it
// added, without kiln's own (GITHUB_*, RUNNER_*, CI, HOME), secrets' names or values, or any
// name that looks secret (TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL, PRIVATE, AUTH).
std::vector<std::string> PersistableEnv(const std::vector<std::string>& base_env,
                                        const std::vector<std::string>& final_env,
                                        const std::vector<std::string>& secret_names,
                                        const std::vector<std::string>& secret_values);

}  // namespace kiln::cli
