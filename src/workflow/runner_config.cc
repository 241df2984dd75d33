// Runner choice and sizes: which image and size a job runs on (a pure function of the job
// and the settings), and the config file's runner settings.
#include "workflow/runner_config.h"

namespace kiln::workflow {
namespace {

constexpr char kUnmapped[] = "which maps to no image";

}  // namespace

RunnerConfig RunnerConfigFrom(const Config& file) {
  RunnerConfig c;
  c.default_image = file.default_image;
  c.labels = file.labels;
  c.warm_pool = file.warm_pool;
  c.default_size = file.default_size;
  c.disk = file.disk;
  return c;
}

Result<RunnerConfig> LoadRunnerConfig(const std::string& path) {
  ASSIGN_OR_RETURN(Config file, LoadConfigFile(path));
  return RunnerConfigFrom(file);
}

std::string DefaultConfigPath() { return ConfigPath(""); }

std::string JobSize(const RunnerConfig& config, const std::string& size,
                    const std::string& generated_on_size) {
  if (!size.empty()) return size;
  auto fallback = runtime::ParseSize(config.default_size);
  auto made_on = runtime::ParseSize(generated_on_size);
  if (!fallback.ok()) return made_on.ok() ? made_on->name : runtime::kDefaultSize;
  return made_on.ok() ? runtime::LargerSize(*fallback, *made_on).name : fallback->name;
}

Result<runtime::Size> SizeWithConfig(const RunnerConfig& config, const std::string& name) {
  ASSIGN_OR_RETURN(runtime::Size size, runtime::ParseSize(name));
  if (auto it = config.disk.find(size.name); it != config.disk.end()) size.disk_bytes = it->second;
  return size;
}

Result<runtime::Size> CommandSize(const std::string& size_flag,
                                  const std::string& generated_on_size) {
  RunnerConfig config;
  if (std::string path = DefaultConfigPath(); !path.empty()) {
    ASSIGN_OR_RETURN(config, LoadRunnerConfig(path));
  }
  return SizeWithConfig(config, JobSize(config, size_flag, generated_on_size));
}

Status AddOverride(RunnerConfig& config, const std::string& spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    return InvalidArgument("-P takes LABEL=IMAGE, got \"" + spec + "\"");
  }
  config.overrides[spec.substr(0, eq)] = spec.substr(eq + 1);
  return Status::Ok();
}

Result<RunnerTarget> ChooseRunner(const Job& job, const RunsOn& runs_on,
                                  const std::string& container_image, const RunnerConfig& config) {
  RunnerTarget t;
  t.size = runs_on.size;
  if (!container_image.empty()) {
    auto it = config.overrides.find(container_image);
    t.image = it != config.overrides.end() ? it->second : container_image;
    t.via = "container " + container_image;
    return t;
  }
  if (!runs_on.image.empty()) {
    t.image = runs_on.image;
    t.via = "runs-on image";
    return t;
  }
  for (const auto& label : runs_on.labels) {
    // A flag wins over what is stored (a runner) and over the config file.
    if (auto it = config.overrides.find(label); it != config.overrides.end()) {
      t.image = it->second;
      t.via = "label " + label + " (-P)";
      return t;
    }
    if (config.runner_lookup) {
      auto r = config.runner_lookup(label);
      if (r.ok()) {
        if (!t.size.empty()) r->size = t.size;
        r->via = "runner " + label;
        return *r;
      }
      if (r.status().code() != Code::kNotFound) return r.status();
    }
    if (auto it = config.labels.find(label); it != config.labels.end()) {
      t.image = it->second;
      t.via = "label " + label + " (config)";
      return t;
    }
  }
  if (!config.default_image.empty()) {
    t.image = config.default_image;
    t.via = "default_image";
    return t;
  }
  std::string label = runs_on.labels.empty() ? "" : runs_on.labels[0];
  return FailedPrecondition(job.pos.ToString() + ": job " + job.id + " runs on \"" + label +
                            "\", " + kUnmapped + "; map it with -P " + label +
                            "=IMAGE, a [labels] entry in the config file, or a runner "
                            "(kiln runner add " +
                            label + " --image IMAGE)");
}

bool IsUnmappedLabel(const Status& s) {
  return s.code() == Code::kFailedPrecondition && s.message().find(kUnmapped) != std::string::npos;
}

}  // namespace kiln::workflow
