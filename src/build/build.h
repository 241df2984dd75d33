// kiln build: a Dockerfile (the subset dockerfile.h parses) becomes an image in kiln's store,
// without docker. Used by `kiln build`, by `kiln hook`'s run_container_step (a step whose
// `dockerfile` is set) and by local Docker actions.
//
// Every instruction is one step, and every step's result is an image in the store: FROM the
// base (a catalogue version or a store name, through the engine's resolver; `scratch` is the
// empty image); ENV, WORKDIR (which also makes the directory), USER, ENTRYPOINT, CMD, LABEL,
// EXPOSE, SHELL and ARG a new config over the same layers; RUN a sandbox started from the
// current image that runs the command (shell form through SHELL, default ["/bin/sh", "-c"];
// its environment is the config's Env plus the ARGs in scope, ENV winning) and whose changes
// become a layer (jobs::JobSession::CaptureNow); COPY and ADD a layer packed from the context's
// files (modes kept, owned by root or --chown's USER[:GROUP]; a path or symlink leaving the
// context is refused; ADD of a local tar archive is extracted).
//
// Cache: each step's image is named `kiln-build-cache/<key>:latest` in the store
// (kBuildCachePrefix), where key = sha256(parent image digest, the instruction as expanded, the ARG
// values a RUN sees, and for COPY/ADD the digest of the source files' paths, contents and modes). A
// step whose name exists reuses that image (no sandbox is started) unless `no_cache`. The cache
// images are named store images: GC keeps them; `kiln image rm` (or untagging the prefix) lets GC
// take them.
//
// Errors: a Dockerfile error names file:line:col; a failing RUN names the instruction, its line
// and the exit code. A failed build tags nothing (the cache images of the steps that succeeded
// stay, as docker keeps them).
//
// Log lines, as docker build prints them: "Step N/M : INSTRUCTION", " ---> Using cache",
// " ---> <short digest>", the RUN's output, "Successfully built <short digest>",
// "Successfully tagged NAME".
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "jobs/engine.h"
#include "oci/digest.h"

namespace kiln::build {

inline constexpr const char* kBuildCachePrefix = "kiln-build-cache/";

struct BuildRequest {
  std::string dockerfile;   // path; "" = <context_dir>/Dockerfile
  std::string context_dir;  // the build context (COPY and ADD sources are relative to it)
  // The store name the result gets ("app", "app:1.0"; NormalizeImageName); "" = none, the result
  // is then known by BuildResult::reference (its cache name) only.
  std::string tag;
  std::map<std::string, std::string> build_args;  // --build-arg K=V (secret-free: logged)
  bool no_cache = false;                          // run every step, reusing no cached image
  std::function<void(const std::string&)> log;    // one line of build output
};

struct BuildResult {
  std::string reference;  // what names the result: the tag as stored ("app:latest"), else its
                          // cache name ("kiln-build-cache/<key>:latest"); a store name either way
  oci::Digest manifest_digest;
  int steps = 0;         // instructions run or reused
  int cached_steps = 0;  // of which reused from the cache
};

Result<BuildResult> Build(jobs::Engine& engine, const BuildRequest& request);

// Forgets the build cache: removes every store name under kBuildCachePrefix (what only they
// used is then garbage for Engine::CollectGarbage / `kiln image prune`). Returns how many.
Result<int> ForgetBuildCache(jobs::Engine& engine);

}  // namespace kiln::build
