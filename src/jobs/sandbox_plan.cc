#include "jobs/sandbox_plan.h"

#include <algorithm>

namespace kiln::jobs {
namespace {

constexpr const char* kLabelImage = "image";
constexpr const char* kLabelDigest = "digest";
constexpr const char* kLabelSize = "size";

std::string Label(const runtime::SandboxSpec& spec, const char* key) {
  auto it = spec.labels.find(key);
  return it == spec.labels.end() ? "" : it->second;
}

}  // namespace

runtime::SandboxSpec MakeSandboxSpec(const SandboxRequest& r) {
  runtime::SandboxSpec spec;
  spec.name = r.name.empty() ? r.image->ref + " " + r.size.name : r.name;
  spec.lower_dirs = r.image->lower_dirs;
  spec.image = r.image->config();
  spec.mounts = r.mounts;
  spec.disk_dirs = r.disk_dirs;
  spec.size = r.size;
  spec.persistent = r.persistent;
  spec.image.env = MergeEnv(spec.image.env, r.env);
  if (!r.workdir.empty()) spec.image.working_dir = r.workdir;
  if (!r.user.empty()) spec.image.user = r.user;
  if (!r.hostname.empty()) spec.hostname = r.hostname;
  spec.network = r.network == "none" ? runtime::kNoNetwork : r.network;
  spec.aliases = r.aliases;
  spec.ports = r.ports;
  spec.labels = {{kLabelImage, r.image->ref},
                 {kLabelDigest, r.image->digest().str()},
                 {kLabelSize, r.size.name}};
  return spec;
}

std::vector<std::string> MergeEnv(std::vector<std::string> base,
                                  const std::vector<std::string>& over) {
  for (const auto& e : over) {
    std::string key = e.substr(0, e.find('='));
    auto same = [&](const std::string& b) {
      return b.compare(0, key.size(), key) == 0 && (b.size() == key.size() || b[key.size()] == '=');
    };
    auto it = std::find_if(base.begin(), base.end(), same);
    if (it == base.end())
      base.push_back(e);
    else
      *it = e;
  }
  return base;
}

SandboxOrigin OriginOf(const runtime::SandboxSpec& spec) {
  return {Label(spec, kLabelImage), Label(spec, kLabelDigest), Label(spec, kLabelSize)};
}

}  // namespace kiln::jobs
