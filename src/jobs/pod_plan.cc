// The parts of a pod container's sandbox: its spec, main process, health check and dirs.
#include "jobs/pod_plan.h"

#include "base/fs.h"
#include "jobs/sandbox_plan.h"

namespace kiln::jobs {

std::string Tame(const std::string& name, bool hostname) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
              (!hostname && c == '_');
    out += ok ? c : '-';
  }
  if (out.empty() || out[0] == '.' || out[0] == '-') out = "x" + out;
  return out.substr(0, 63);
}

namespace {

bool IsVolumeName(const std::string& s) {
  return !s.empty() && s[0] != '/' && s[0] != '.' && Tame(s, false) == s;
}

}  // namespace

std::vector<std::string> MainProcess(const ContainerRequest& r, const oci::ImageConfig& config) {
  std::vector<std::string> argv = r.entrypoint ? *r.entrypoint : config.entrypoint;
  std::vector<std::string> args = r.args         ? *r.args
                                  : r.entrypoint ? std::vector<std::string>{}
                                                 : config.cmd;
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::optional<HealthCheck> ImageHealth(const oci::ImageConfig& config) {
  if (!config.healthcheck || config.healthcheck->test.empty() ||
      config.healthcheck->test[0] == "NONE") {
    return std::nullopt;
  }
  const oci::HealthConfig& h = *config.healthcheck;
  HealthCheck out;
  out.test = h.test;
  if (h.interval_ns > 0) out.interval_seconds = h.interval_ns / 1e9;
  if (h.timeout_ns > 0) out.timeout_seconds = h.timeout_ns / 1e9;
  if (h.start_period_ns > 0) out.start_period_seconds = h.start_period_ns / 1e9;
  if (h.retries > 0) out.retries = h.retries;
  return out;
}

std::string PodVolumesDir(Engine& e, const std::string& key) {
  return JoinPath(PodsDir(e), key + ".volumes");
}
std::string PodLogsDir(Engine& e, const std::string& key) {
  return JoinPath(PodsDir(e), key + ".logs");
}

Result<runtime::SandboxSpec> Pod::Plan(const ContainerRequest& r, const images::Image& image,
                                       bool persistent) {
  SandboxRequest sr;
  sr.image = &image;
  ASSIGN_OR_RETURN(sr.size, engine_->SizeFor(r.size, image.generated_on_size()));
  sr.name = state_.key + "/" + r.name;
  sr.persistent = persistent;
  sr.env = r.env;
  sr.workdir = r.workdir;
  sr.user = r.user;
  sr.hostname = r.hostname.empty() ? Tame(r.name, true) : r.hostname;
  sr.network = state_.network;
  sr.aliases = r.aliases;
  sr.ports = r.ports;
  for (const auto& v : r.mounts) {
    if (v.destination.empty() || v.destination[0] != '/')
      return InvalidArgument("mount of " + v.source + ": the destination must be absolute");
    runtime::BindMount m{v.source, v.destination, v.read_only};
    if (v.source.empty() || v.source[0] != '/') {
      if (!IsVolumeName(v.source)) {
        return InvalidArgument("volume \"" + v.source +
                               "\": a name (letters, digits, '-', '_', '.') or an absolute path");
      }
      m.source = JoinPath(PodVolumesDir(*engine_, state_.key), v.source);
      RETURN_IF_ERROR(MakeDirs(m.source, 0755));
    } else if (!PathExists(v.source)) {
      return NotFound("mount source " + v.source + " does not exist");
    }
    sr.mounts.push_back(m);
  }
  runtime::SandboxSpec spec = MakeSandboxSpec(sr);
  spec.labels[kLabelPod] = state_.key;
  return spec;
}

}  // namespace kiln::jobs
