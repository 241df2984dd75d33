#include "workflow/runner_config.h"

#include <cstdlib>
#include <toml++/toml.h>

#include "base/fs.h"

namespace kiln::workflow {
namespace {

// [sizes."2x8"] disk = "50G"
Status ReadSizes(const std::string& path, toml::node_view<toml::node> node, RunnerConfig& c) {
  auto* sizes = node.as_table();
  if (sizes == nullptr) return InvalidArgument(path + ": sizes must be a table of [sizes.\"2x8\"] tables");
  for (const auto& [name, v] : *sizes) {
    std::string where = path + ": sizes." + std::string(name.str());
    RETURN_IF_ERROR(runtime::ParseSize(name.str()).status().WithContext(where));
    auto* row = v.as_table();
    if (row == nullptr) return InvalidArgument(where + " must be a table, e.g. disk = \"50G\"");
    for (const auto& [key, value] : *row) {
      auto text = value.value<std::string>();
      if (key.str() != "disk" || !text) return InvalidArgument(where + ": only disk = \"50G\" is known here");
      auto bytes = runtime::ParseBytes(*text);
      if (!bytes.ok()) return bytes.status().WithContext(where + ".disk");
      c.disk[std::string(name.str())] = *bytes;
    }
  }
  return Status::Ok();
}

}  // namespace

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
    if (t.contains("default_size")) {
      auto d = t["default_size"].value<std::string>();
      if (!d) return InvalidArgument(path + ": default_size must be a string, e.g. \"2x8\"");
      RETURN_IF_ERROR(runtime::ParseSize(*d).status().WithContext(path + ": default_size"));
      c.default_size = *d;
    }
    if (t.contains("sizes")) RETURN_IF_ERROR(ReadSizes(path, t["sizes"], c));
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

std::string DefaultConfigPath() {
  if (const char* env = std::getenv("KILN_CONFIG"); env != nullptr && *env != '\0') return env;
  return PathExists("/etc/kiln/config.toml") ? "/etc/kiln/config.toml" : "";
}

std::string JobSize(const RunnerConfig& config, const std::string& size, const std::string& generated_on_size) {
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

Result<runtime::Size> CommandSize(const std::string& size_flag, const std::string& generated_on_size) {
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
