// The one place a SandboxSpec is made, for a job's sandbox, a pooled one and a long-lived one
// alike: so a job finds the sandboxes `kiln pool fill` started (runtime::PoolKey of equal specs
// is equal), and a sandbox's origin (image, base digest, size) is written and read one way.
#pragma once

#include <string>
#include <vector>

#include "images/image.h"
#include "runtime/sandbox.h"

namespace kiln::jobs {

struct SandboxRequest {
  const images::Image* image = nullptr;  // prepared (lower_dirs set)
  runtime::Size size;                    // from Engine::SizeFor
  std::string name;                      // for people: "ci/build"; "" = "IMAGE SIZE"
  std::vector<runtime::BindMount> mounts;
  // Writable host dirs (the sources of writable mounts on the state filesystem), counted against
  // the size's disk cap with the upper dir.
  std::vector<std::string> disk_dirs;
  bool persistent = false;  // kiln sandbox create: outlives this process
  // Over the image's config (a pod's container, jobs/pod.h): "K=V" entries replace the image's
  // for the same K; workdir and user replace the image's when set.
  std::vector<std::string> env;
  std::string workdir, user;
  std::string hostname;  // "" = the runtime's default
  // A kiln network's name (EngineOptions::job_network, a pod's), or "" / "none": loopback only.
  std::string network;
  std::vector<std::string> aliases;         // on the network (the hostname is always one)
  std::vector<runtime::PortMapping> ports;  // published on the host
};

// Where a sandbox came from, as MakeSandboxSpec records it in the spec's labels.
struct SandboxOrigin {
  std::string image;        // "ci-tools:1.2.0"
  std::string base_digest;  // the manifest digest it started from
  std::string size;         // "2x8"
};

runtime::SandboxSpec MakeSandboxSpec(const SandboxRequest& request);
// `base` ("K=V" entries) with `over`'s entries put in place of those of the same K, or added.
std::vector<std::string> MergeEnv(std::vector<std::string> base,
                                  const std::vector<std::string>& over);
// The origin recorded in `spec`; fields are empty for sandboxes made before kiln recorded them.
SandboxOrigin OriginOf(const runtime::SandboxSpec& spec);

}  // namespace kiln::jobs
