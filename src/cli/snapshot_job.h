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
// added, without kiln's own (GITHUB_*, RUNNER_*, CI, HOME), secrets' names, any name that looks
// secret (TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL, PRIVATE, AUTH), or any variable
// whose value contains one of `secret_values` (FinishedJob::masks: secrets, their lines,
// ::add-mask:: values) anywhere. The names left out for those reasons go to *left_out (may be
// null), never their values.
std::vector<std::string> PersistableEnv(const std::vector<std::string>& base_env,
                                        const std::vector<std::string>& final_env,
                                        const std::vector<std::string>& secret_names,
                                        const std::vector<std::string>& secret_values,
                                        std::vector<std::string>* left_out = nullptr);

}  // namespace kiln::cli
