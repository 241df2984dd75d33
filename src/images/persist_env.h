// `persist-env`: which of a job's environment variables a snapshot writes into the image.
#pragma once

#include <string>
#include <vector>

namespace kiln::images {

// The environment persist-env writes into the image: `base_env` (the base image's Env) updated
// with the job's final PATH and the variables it added (`final_env`), leaving out:
//   - kiln's own (GITHUB_*, RUNNER_*, CI, HOME, ImageOS, ACTIONS_ALLOW_UNSECURE_COMMANDS),
//   - the names of secrets (`secret_names`),
//   - any name that looks secret: containing TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL,
//     PRIVATE or AUTH, in any case,
//   - any variable whose value contains one of `secret_values` (each secret, each line of a
//     multi-line one, each ::add-mask:: value) anywhere.
// The names left out for the last three reasons go to *left_out (may be null), never their
// values. Entries without '=' are ignored. Order: base_env's order, new names appended.
std::vector<std::string> PersistableEnv(const std::vector<std::string>& base_env,
                                        const std::vector<std::string>& final_env,
                                        const std::vector<std::string>& secret_names,
                                        const std::vector<std::string>& secret_values,
                                        std::vector<std::string>* left_out = nullptr);

// Whether a variable name looks like it holds a secret (the list above).
bool LooksSecret(std::string name);

}  // namespace kiln::images
