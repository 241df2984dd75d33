// Which image (and size) a job runs on. In order: `container.image` (a -P mapping of that
// image name applies); `runs-on: {image, size}`; then for each `runs-on` label in turn: a
// `-P label=image` flag, a runner of that name (kiln runner add, looked up through
// `runner_lookup`), the config file's [labels] table; last, the config's `default_image`.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "runtime/size.h"
#include "workflow/config_file.h"
#include "workflow/model.h"

namespace kiln::workflow {

struct RunnerTarget {
  std::string image;    // an image name for ImageProvider
  std::string size;     // "" = the job names none (JobSize picks one)
  std::string via;      // how it was chosen, for the set-up log: "label ubuntu-latest (-P)"
  std::string network;  // a runner's own network ("none" or a name); "" = the config's
};

struct RunnerConfig {
  std::string default_image;
  std::map<std::string, std::string> labels;     // from the config file
  std::map<std::string, std::string> overrides;  // -P label=image
  int warm_pool = 0;  // pooled sandboxes kept waiting per image and size (kiln pool --help)
  // The size of a job that names none (see JobSize); a valid size.
  std::string default_size = runtime::kDefaultSize;
  // Disk figures by size name, overriding the table's (runtime/size.h).
  std::map<std::string, int64_t> disk;
  // A named runner: image ("ci-tools:latest" or "ci-tools:1.2.0") and size; NotFound if none.
  std::function<Result<RunnerTarget>(const std::string& name)> runner_lookup;
};

// The runner settings of a config file (config_file.h): default_image, default_size,
// warm_pool, [labels] and [sizes]; no overrides, no runner_lookup.
RunnerConfig RunnerConfigFrom(const Config& file);
// RunnerConfigFrom(LoadConfigFile(path)): its errors are LoadConfigFile's.
Result<RunnerConfig> LoadRunnerConfig(const std::string& path);
// The config file kiln reads when none is named: ConfigPath("").
std::string DefaultConfigPath();
// The size a job runs at: `size` when the job (runs-on, or its runner) names one; else the
// larger of config.default_size and `generated_on_size`, the size its image was made on ("" or
// unparsable: ignored), so that every job has limits.
std::string JobSize(const RunnerConfig& config, const std::string& size,
                    const std::string& generated_on_size);
// ParseSize(name) with the config's disk figure for that size, if it sets one.
Result<runtime::Size> SizeWithConfig(const RunnerConfig& config, const std::string& name);
// The size of a sandbox made outside a workflow (kiln sandbox create, kiln pool fill), as a
// job would get it: JobSize and SizeWithConfig with the config at DefaultConfigPath().
Result<runtime::Size> CommandSize(const std::string& size_flag,
                                  const std::string& generated_on_size);
// Adds "label=image" overrides (as `act -P` takes them).
Status AddOverride(RunnerConfig& config, const std::string& spec);
// Chooses the image for a job whose runs-on/container have been interpolated already. A label
// that maps to nothing is a FailedPrecondition that IsUnmappedLabel recognises.
Result<RunnerTarget> ChooseRunner(const Job& job, const RunsOn& runs_on,
                                  const std::string& container_image, const RunnerConfig& config);

// Whether ChooseRunner failed only because no image is mapped to the job's runs-on labels.
bool IsUnmappedLabel(const Status& s);

}  // namespace kiln::workflow
