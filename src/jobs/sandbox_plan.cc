#include "jobs/sandbox_plan.h"

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
  spec.network = r.network == "none" ? runtime::kNoNetwork : r.network;
  spec.aliases = r.aliases;
  spec.ports = r.ports;
  spec.labels = {{kLabelImage, r.image->ref},
                 {kLabelDigest, r.image->digest().str()},
                 {kLabelSize, r.size.name}};
  return spec;
}

SandboxOrigin OriginOf(const runtime::SandboxSpec& spec) {
  return {Label(spec, kLabelImage), Label(spec, kLabelDigest), Label(spec, kLabelSize)};
}

}  // namespace kiln::jobs
