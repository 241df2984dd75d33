// The steps of a build (build.h), one function per kind of instruction. Internal to build/.
//
// A step is planned first (its variables expanded, its config change computed, its cache key
// text made: nothing written) and made only on a cache miss; ARG's effect on the build's
// variables happens at planning, so it holds whether the step is made or reused.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "build/build.h"
#include "build/dockerfile.h"
#include "content/image_store.h"

namespace kiln::build {

struct BuildState {
  jobs::Engine* engine = nullptr;
  const BuildRequest* request = nullptr;
  std::string context;  // the context dir, real path
  char escape = '\\';
  std::string ref;             // the current image's store name
  content::LoadedImage image;  // the current image
  Vars global_args;            // ARGs before FROM that have a value
  Vars args;                   // ARGs of the stage that have a value
  std::set<std::string> used_build_args;
  bool cmd_set = false;  // a CMD came before: ENTRYPOINT keeps it
  void Log(const std::string& line) const {
    if (request->log) request->log(line);
  }
};

// The variables `$X` sees: the stage's ARGs, then the config's Env over them (ENV wins).
Vars ExpansionVars(const BuildState& s);
// The environment a RUN gets: the config's Env, the ARGs it does not set, and PATH when unset.
std::vector<std::string> RunEnv(const BuildState& s);
// The config's SHELL, or ["/bin/sh", "-c"].
std::vector<std::string> ShellOf(const oci::ImageConfig& config);

struct StepPlan {
  std::string key_text;  // what, with the parent's digest, keys the cache
  // Makes the step's image (on a cache miss); the caller names it `cache_name`.
  std::function<Result<oci::Descriptor>(const std::string& cache_name)> make;
};

// ARG: records the values in `s` (before FROM: the global ones); no plan before FROM.
Result<std::optional<StepPlan>> PlanArg(const Instruction& in, BuildState& s, bool global);
// ENV, LABEL, USER, WORKDIR, EXPOSE, SHELL, CMD, ENTRYPOINT (config_step.cc).
Result<StepPlan> PlanConfig(const Instruction& in, BuildState& s);
// RUN (run_step.cc).
Result<StepPlan> PlanRun(const Instruction& in, BuildState& s);
// COPY and ADD (copy_step.cc).
Result<StepPlan> PlanCopy(const Instruction& in, BuildState& s);

// --- image writing (image_commit.cc) ---
// `config` over the current image's layers, with a history entry; or with one more layer made
// from the directory `rootfs` (kRootfs: every entry in it lands in the image as it is).
Result<oci::Descriptor> CommitConfig(BuildState& s, oci::ImageConfig config,
                                     const std::string& created_by);
Result<oci::Descriptor> CommitLayer(BuildState& s, const std::string& rootfs,
                                    oci::ImageConfig config, const std::string& created_by);
// The current image's layer dirs (unpacked in the layer cache), bottom first.
Result<std::vector<std::string>> LowerDirs(BuildState& s);
// Stages in `root` the directories of the absolute path `dir` (the image's own where it has them:
// mode, owner and times, else 0755 root); `uid`/`gid` >= 0 own those made anew, and `dir`
// itself. No-op for "/".
Status StageDirs(const std::vector<std::string>& lower_dirs, const std::string& root,
                 const std::string& dir, int uid = -1, int gid = -1);
// The absolute `path` with the image's symlinks in it followed inside the image (an absolute
// target from the image's root, as in a sandbox; at most 40), as docker resolves a COPY's
// destination: `/bin/x` is `/usr/bin/x` when /bin links to usr/bin.
std::string ResolveInImage(const std::vector<std::string>& lower_dirs, const std::string& path);
// Whether the image whose layers are `lower_dirs` has a directory at absolute `path` (resolved).
bool ImageHasDir(const std::vector<std::string>& lower_dirs, const std::string& path);
// COPY --chown's USER[:GROUP]: numbers, or names in the image's /etc/passwd and /etc/group (a
// user alone gives its primary group; a number alone is also the group).
Result<std::pair<int, int>> ResolveOwner(const std::vector<std::string>& lower_dirs,
                                         const std::string& spec);
// A clean absolute path: `path` (relative ones under `cwd`), no "." / ".." / "//".
std::string CleanAbsolute(const std::string& cwd, const std::string& path);

}  // namespace kiln::build
