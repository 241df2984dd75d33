// Which image (and size) a job runs on. In order: `container.image`; `runs-on: {image, size}`;
// a runner named by a `runs-on` label (kiln runner add, looked up through `runner_lookup`);
// `-P label=image` overrides; the config file's [labels] table; its `default_image`.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

struct RunnerTarget {
  std::string image;  // an image name for ImageProvider
  std::string size;   // "" = no limits
  std::string via;    // how it was chosen, for the set-up log: "label ubuntu-latest (-P)"
};

struct RunnerConfig {
  std::string default_image;
  std::map<std::string, std::string> labels;     // from the config file
  std::map<std::string, std::string> overrides;  // -P label=image
  int warm_pool = 0;  // pooled sandboxes kept waiting per image and size (kiln pool --help)
  // A named runner: image ("ci-tools:latest" or "ci-tools:1.2.0") and size; NotFound if none.
  std::function<Result<RunnerTarget>(const std::string& name)> runner_lookup;
};

// Reads a TOML file: `default_image = "…"`, `warm_pool = N` and a `[labels]` table of
// label = image.
Result<RunnerConfig> LoadRunnerConfig(const std::string& path);
// Adds "label=image" overrides (as `act -P` takes them).
Status AddOverride(RunnerConfig& config, const std::string& spec);
// Chooses the image for a job whose runs-on/container have been interpolated already.
Result<RunnerTarget> ChooseRunner(const Job& job, const RunsOn& runs_on,
                                  const std::string& container_image, const RunnerConfig& config);

}  // namespace kiln::workflow
