// A pod: the sandboxes of one job that an outside runner drives in several calls (GitHub's
// container hooks, GitLab's custom executor): one job sandbox and its services on a kiln network
// of the pod's own, all persistent (they outlive the kiln process of one call) and found again
// by the pod's key. Podman's word; the shape of what `docker network create` + `docker create`
// + `docker start` gave the reference hook.
//
// State: <state_dir>/pods/<key>.json (written atomically after each change) names the pod's
// network, its sandboxes (id, role, name, aliases, published ports) and its volumes
// (<state_dir>/pods/<key>.volumes/<name>/). Remove() destroys all of it; Remove of a pod that
// does not exist is Ok (a runner calls cleanup after a failed prepare). One process works on a
// pod at a time (a flock on <key>.lock); different pods run in parallel.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "images/image.h"
#include "jobs/engine.h"
#include "runtime/sandbox.h"

namespace kiln::jobs {

// docker's HEALTHCHECK: `test` is ["CMD-SHELL", "cmd"] or ["CMD", argv…] (["NONE"] = none).
struct HealthCheck {
  std::vector<std::string> test;
  double interval_seconds = 30, timeout_seconds = 30, start_period_seconds = 0;
  int retries = 3;
};

// A named volume (kiln-managed dir, made on first use, removed with the pod) or a bind mount.
struct VolumeMount {
  std::string source;  // an absolute host path (bind mount), else a volume name
  std::string destination;
  bool read_only = false;
};

struct ContainerRequest {
  std::string name;   // for people and `kiln sandbox ls`; unique in the pod
  std::string image;  // a catalogue name ("toolbox:latest"), a store name, or a registry ref
  // Registry credentials for this image only (the runner's `registry` block); empty: the
  // engine's credential store. They are given only to the registry `registry_server` names (a
  // server URL as `docker login` takes it; "" = the image's own registry), never to another.
  std::string registry_username, registry_password, registry_server;
  std::vector<std::string> aliases;  // names the pod's other sandboxes reach this one by
  std::string hostname;              // "" = the name, made a valid hostname
  std::vector<std::string> env;      // "K=V", over the image's Env
  // The main process (a service's): entrypoint + args; either empty = the image's own
  // (Entrypoint/Cmd). Ignored for the job sandbox, which waits for execs.
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> args;
  std::string workdir;  // "" = the image's
  std::string user;     // "" = the image's
  std::vector<VolumeMount> mounts;
  std::vector<runtime::PortMapping> ports;
  std::string size;                   // "2x8"; "" = the engine's rule (Engine::SizeFor)
  std::optional<HealthCheck> health;  // overrides the image's Healthcheck when set
};

struct PodContainer {
  std::string id;  // the sandbox id
  std::string name;
  std::vector<std::string> aliases;
  std::vector<runtime::PortMapping> ports;  // as published (host ports chosen)
  std::string image_ref;                    // the reference as resolved ("toolbox:1.2.0")
};

struct PodState {
  std::string key;
  std::string network;  // the kiln network's name
  std::optional<PodContainer> job;
  std::vector<PodContainer> services;
};

class Pod {
 public:
  // The pod `key` (at most 60 letters, digits, '-', '_', '.'; its network is "pod-<key>"), loaded
  // when it exists, else empty. Takes its lock for the object's life.
  static Result<Pod> Open(Engine& engine, const std::string& key);

  const PodState& state() const { return state_; }
  // Starts a service: resolves its image (pulling it with the request's credentials when it is
  // a registry reference not held here), starts a sandbox on the pod's network (made on first
  // use) and spawns its main process, whose output goes to a log beside the pod's state.
  Result<PodContainer> AddService(const ContainerRequest& request,
                                  const std::function<void(const std::string&)>& log);
  // The job sandbox: as a service, but no main process (execs run in it). One per pod.
  Result<PodContainer> AddJob(const ContainerRequest& request,
                              const std::function<void(const std::string&)>& log);
  // Waits until every service with a health check (the request's, else its image's) is
  // healthy; FailedPrecondition naming the service and its last check output when one is not
  // after its retries; FailedPrecondition "interrupted" as soon as `cancelled` says true.
  Status WaitHealthy(const std::function<void(const std::string&)>& log,
                     const std::function<bool()>& cancelled = nullptr);
  // As gitlab-runner's wait_for_services_timeout: for each service this object started whose
  // image exposes a TCP port (config.ExposedPorts; the lowest) and that has no health check,
  // waits until a TCP connect to the service's address on that port succeeds (made inside its
  // network namespace, as a pod member's would be),
  // for at most `timeout_seconds` in all; a service still closed then is a warning through `log`
  // (not an error). Returns false when `cancelled` said true first, else true.
  bool WaitForPorts(double timeout_seconds, const std::function<void(const std::string&)>& log,
                    const std::function<bool()>& cancelled = nullptr);
  // The job sandbox, attached (for Exec); FailedPrecondition when the pod has none.
  Result<std::unique_ptr<runtime::Sandbox>> JobSandbox();
  // A one-off sandbox on the pod's network with the pod's volumes available (a container
  // step): runs its entrypoint + args to the end with `exec`'s env/cwd/on_line, then is removed.
  // Each new interrupt `interrupts` counts while it runs signals its processes (InterruptRelay:
  // SIGINT, then SIGKILL).
  Result<int> RunContainer(const ContainerRequest& request, const runtime::ExecSpec& exec,
                           const std::function<int()>& interrupts = nullptr);
  // Destroys every sandbox, the network and the volumes of the pod, and its state file.
  Status Remove();

 private:
  Pod() = default;
  // The image of `request`, prepared (pod_image.cc: its credentials used for this pull only).
  Result<images::Image> PrepareImage(const ContainerRequest& request,
                                     const std::function<void(const std::string&)>& log);
  // The sandbox spec of `request` on the pod's network (volumes made here).
  Result<runtime::SandboxSpec> Plan(const ContainerRequest& request, const images::Image& image,
                                    bool persistent);
  Result<PodContainer> Start(const ContainerRequest& request, bool job,
                             const std::function<void(const std::string&)>& log);
  Status Save() const;

  Engine* engine_ = nullptr;
  PodState state_;
  std::map<std::string, HealthCheck> health_;  // by service name; saved with the state
  struct PortWait {
    std::string service, id;  // id: the sandbox's
    uint16_t port = 0;
  };
  std::vector<PortWait> port_waits_;  // services started here: see WaitForPorts
  UniqueFd lock_;                     // flock of <key>.lock
};

// True when `request`'s credentials are for registry `host` (as a reference names it:
// "docker.io", "quay.io", "127.0.0.1:5000"): the host of its registry_server (docker login's
// forms: "https://HOST/v1/", "HOST"; Docker Hub's aliases docker.io, index.docker.io and
// registry-1.docker.io are one), or, when that is empty, the registry of its image (docker.io
// when the name has no domain).
bool RequestCredentialsFor(const ContainerRequest& request, const std::string& host);

// The lowest TCP port an image config's ExposedPorts names ("8080/tcp", "80"); 0 for none.
uint16_t FirstExposedTcpPort(const oci::ImageConfig& config);

// <state_dir>/pods: the pods' state files, locks, volumes and service logs.
std::string PodsDir(Engine& engine);

}  // namespace kiln::jobs
