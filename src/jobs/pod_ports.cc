// Pod::WaitForPorts and FirstExposedTcpPort: waiting, as gitlab-runner does, for a service
// without a health check to accept TCP connections on the first port its image exposes. The
// connect is made inside the service's network namespace (Sandbox::AcceptsTcp): the host's own
// are fenced off from sandboxes.
#include <chrono>
#include <thread>

#include "base/clock.h"
#include "base/json.h"
#include "jobs/pod.h"

namespace kiln::jobs {

uint16_t FirstExposedTcpPort(const oci::ImageConfig& config) {
  if (config.raw.empty()) return 0;
  auto j = ParseJson(config.raw, "image config");
  if (!j.ok() || !j->is_object() || !j->contains("config") || !(*j)["config"].is_object()) return 0;
  const Json& exposed = (*j)["config"].value("ExposedPorts", Json());
  if (!exposed.is_object()) return 0;
  int best = 0;
  for (auto it = exposed.begin(); it != exposed.end(); ++it) {
    std::string key = it.key();
    size_t slash = key.find('/');
    if (slash != std::string::npos && key.substr(slash + 1) != "tcp") continue;
    std::string number = key.substr(0, slash);
    if (number.empty() || number.size() > 5 ||
        number.find_first_not_of("0123456789") != std::string::npos)
      continue;
    int port = std::stoi(number);
    if (port > 0 && port <= 65535 && (best == 0 || port < best)) best = port;
  }
  return static_cast<uint16_t>(best);
}

bool Pod::WaitForPorts(double timeout_seconds, const std::function<void(const std::string&)>& log,
                       const std::function<bool()>& cancelled) {
  constexpr auto kTick = std::chrono::milliseconds(100);
  auto rt = engine_->Runtime();
  Stopwatch since;
  for (const PortWait& w : port_waits_) {
    std::unique_ptr<runtime::Sandbox> box;
    if (rt.ok()) {
      auto attached = (*rt)->Attach(w.id);
      if (attached.ok()) box = std::move(*attached);
    }
    bool open = false;
    while (!open && box) {
      if (cancelled && cancelled()) return false;
      open = box->AcceptsTcp(w.port, 1.0);
      if (open || since.Seconds() >= timeout_seconds) break;
      std::this_thread::sleep_for(kTick);
    }
    if (!open && log) {
      log("*** WARNING: Service " + w.service + " probably didn't start properly: port " +
          std::to_string(w.port) + " did not accept a connection within " +
          FormatDuration(timeout_seconds) + "; going on");
    }
  }
  return true;
}

}  // namespace kiln::jobs
