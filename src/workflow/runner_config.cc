#include "workflow/runner_config.h"

#include <toml++/toml.h>

namespace kiln::workflow {

Result<RunnerConfig> LoadRunnerConfig(const std::string& path) {
  RunnerConfig c;
  try {
    toml::table t = toml::parse_file(path);
    if (auto d = t["default_image"].value<std::string>()) c.default_image = *d;
    if (t.contains("warm_pool")) {
      auto n = t["warm_pool"].value<int64_t>();
      if (!n || *n < 0 || *n > 64) return InvalidArgument(path + ": warm_pool must be a number from 0 to 64");
      c.warm_pool = static_cast<int>(*n);
    }
    if (auto* labels = t["labels"].as_table()) {
      for (const auto& [k, v] : *labels) {
        auto image = v.value<std::string>();
        if (!image) return InvalidArgument(path + ": labels." + std::string(k.str()) + " must be a string");
        c.labels[std::string(k.str())] = *image;
      }
    }
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return InvalidArgument(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                           ": " + std::string(e.description()));
  }
  return c;
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
    if (config.runner_lookup) {
      auto r = config.runner_lookup(label);
      if (r.ok()) {
        if (!t.size.empty()) r->size = t.size;
        r->via = "runner " + label;
        return *r;
      }
      if (r.status().code() != Code::kNotFound) return r.status();
    }
    if (auto it = config.overrides.find(label); it != config.overrides.end()) {
      t.image = it->second;
      t.via = "label " + label + " (-P)";
      return t;
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
                            "\", which maps to no image; map it with -P " + label +
                            "=IMAGE, a [labels] entry in the config file, or a runner "
                            "(kiln runner add " + label + " --image IMAGE)");
}

}  // namespace kiln::workflow
