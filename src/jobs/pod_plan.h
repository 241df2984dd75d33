// Internal to jobs/pod*.cc: how a pod's ContainerRequest becomes a sandbox (its spec is made by
// Pod::Plan in pod_plan.cc, through sandbox_plan.h), its main process and its health check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jobs/pod.h"

namespace kiln::jobs {

// Labels of a pod's sandboxes (runtime::SandboxSpec::labels): the pod key, "job" or "service".
inline constexpr const char* kLabelPod = "pod";
inline constexpr const char* kLabelRole = "pod-role";

// `name` as a file name, or a hostname when `hostname`: letters, digits, '-', '.' (and '_' for
// files) kept, the rest '-'; never empty or starting with '.' or '-'; at most 63 bytes.
std::string Tame(const std::string& name, bool hostname);
// A service's main process, as docker makes it: an entrypoint given replaces the image's and
// drops its Cmd; args given replace the Cmd.
std::vector<std::string> MainProcess(const ContainerRequest& r, const oci::ImageConfig& config);
// The image's Healthcheck in pod.h's terms; nullopt when it has none (or says NONE).
std::optional<HealthCheck> ImageHealth(const oci::ImageConfig& config);
// <pods>/<key>.volumes (one dir per named volume) and <pods>/<key>.logs (services' output).
std::string PodVolumesDir(Engine& e, const std::string& key);
std::string PodLogsDir(Engine& e, const std::string& key);

}  // namespace kiln::jobs
