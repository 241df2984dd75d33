// A pod's state file and lock (pod.h): <pods>/<key>.json, <pods>/<key>.lock.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/fs.h"
#include "base/json.h"
#include "jobs/pod.h"

namespace kiln::jobs {
namespace {

bool ValidKey(const std::string& key) {
  if (key.empty() || key.size() > 60 || key == "." || key == "..") return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

Json PortsToJson(const std::vector<runtime::PortMapping>& ports) {
  Json out = Json::array();
  for (const auto& p : ports) {
    out.push_back({{"host_port", p.host_port},
                   {"container_port", p.container_port},
                   {"protocol", p.protocol},
                   {"host_ip", p.host_ip}});
  }
  return out;
}

std::vector<runtime::PortMapping> PortsFromJson(const Json& j) {
  std::vector<runtime::PortMapping> out;
  if (!j.is_array()) return out;
  for (const auto& p : j) {
    runtime::PortMapping m;
    m.host_port = p.value("host_port", uint16_t{0});
    m.container_port = p.value("container_port", uint16_t{0});
    m.protocol = p.value("protocol", std::string("tcp"));
    m.host_ip = p.value("host_ip", std::string());
    out.push_back(m);
  }
  return out;
}

Json ContainerToJson(const PodContainer& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"aliases", c.aliases},
          {"ports", PortsToJson(c.ports)},
          {"image", c.image_ref}};
}

PodContainer ContainerFromJson(const Json& j) {
  PodContainer c;
  c.id = j.value("id", std::string());
  c.name = j.value("name", std::string());
  c.aliases = j.value("aliases", std::vector<std::string>());
  if (j.contains("ports")) c.ports = PortsFromJson(j["ports"]);
  c.image_ref = j.value("image", std::string());
  return c;
}

Json HealthToJson(const HealthCheck& h) {
  return {{"test", h.test},
          {"interval", h.interval_seconds},
          {"timeout", h.timeout_seconds},
          {"start_period", h.start_period_seconds},
          {"retries", h.retries}};
}

HealthCheck HealthFromJson(const Json& j) {
  HealthCheck h;
  h.test = j.value("test", std::vector<std::string>());
  h.interval_seconds = j.value("interval", 30.0);
  h.timeout_seconds = j.value("timeout", 30.0);
  h.start_period_seconds = j.value("start_period", 0.0);
  h.retries = j.value("retries", 3);
  return h;
}

// Locks <key>.lock; retries when the file it locked was removed meanwhile (a Remove that held
// it), so two processes never hold locks of different files for one pod.
Result<UniqueFd> LockPod(const std::string& path) {
  for (;;) {
    ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus("lock " + path, errno);
    }
    struct stat held {
    }, now{};
    if (::fstat(fd.get(), &held) == 0 && ::stat(path.c_str(), &now) == 0 &&
        held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
      return fd;
    }
  }
}

}  // namespace

std::string PodsDir(Engine& engine) { return JoinPath(engine.state_dir(), "pods"); }

Result<Pod> Pod::Open(Engine& engine, const std::string& key) {
  if (!ValidKey(key)) {
    return InvalidArgument("pod key \"" + key +
                           "\": use letters, digits, '-', '_' and '.' (at most 60)");
  }
  std::string dir = PodsDir(engine);
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  Pod pod;
  pod.engine_ = &engine;
  ASSIGN_OR_RETURN(pod.lock_, LockPod(JoinPath(dir, key + ".lock")));
  pod.state_.key = key;
  pod.state_.network = "pod-" + key;
  std::string file = JoinPath(dir, key + ".json");
  if (!PathExists(file)) return pod;
  ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  ASSIGN_OR_RETURN(Json j, ParseJson(text, file));
  pod.state_.network = j.value("network", pod.state_.network);
  if (j.contains("job") && j["job"].is_object()) pod.state_.job = ContainerFromJson(j["job"]);
  if (j.contains("services") && j["services"].is_array()) {
    for (const auto& s : j["services"]) pod.state_.services.push_back(ContainerFromJson(s));
  }
  if (j.contains("health") && j["health"].is_object()) {
    for (auto it = j["health"].begin(); it != j["health"].end(); ++it)
      pod.health_[it.key()] = HealthFromJson(it.value());
  }
  return pod;
}

Status Pod::Save() const {
  Json j = {{"key", state_.key}, {"network", state_.network}};
  if (state_.job) j["job"] = ContainerToJson(*state_.job);
  j["services"] = Json::array();
  for (const auto& s : state_.services) j["services"].push_back(ContainerToJson(s));
  j["health"] = Json::object();
  for (const auto& [name, h] : health_) j["health"][name] = HealthToJson(h);
  return WriteFileAtomic(JoinPath(PodsDir(*engine_), state_.key + ".json"), DumpJson(j, 2), 0600);
}

}  // namespace kiln::jobs
