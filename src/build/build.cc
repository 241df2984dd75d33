// kiln build (build.h), in phases: Load the Dockerfile → FROM → each step (plan, cache, make) →
// Tag.
#include "build/build.h"

#include <climits>
#include <cstdlib>

#include "base/clock.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "build/steps.h"
#include "snapshot/image_build.h"

namespace kiln::build {
namespace {

Result<Dockerfile> Load(const BuildRequest& r, std::string& context) {
  char buf[PATH_MAX];
  if (::realpath(r.context_dir.c_str(), buf) == nullptr || !IsDirectory(buf))
    return NotFound("build context " + r.context_dir + ": not a directory");
  context = buf;
  std::string path = r.dockerfile.empty() ? JoinPath(context, "Dockerfile") : r.dockerfile;
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("read the Dockerfile");
  return ParseDockerfile(*text, path);
}

std::string CacheName(const std::string& key) { return std::string(kBuildCachePrefix) + key; }

std::string Key(const oci::Digest& parent, const std::string& text) {
  return Sha256::Hex("kiln-build-v1\n" + parent.str() + "\n" + text);
}

// Makes `name` the current image.
Status Use(BuildState& s, const std::string& name) {
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  ASSIGN_OR_RETURN(s.image, store->Load(name));
  s.ref = name;
  return Status::Ok();
}

// FROM: the base, named in the store under its own cache name (so every step's sandbox starts
// from a store name); `scratch` is an image of no layers.
Status From(const Instruction& in, BuildState& s) {
  ASSIGN_OR_RETURN(std::string base,
                   Expand(in.words[0].text, s.global_args, s.escape, in.words[0].loc));
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  oci::Descriptor desc;
  if (base == "scratch") {
    oci::ImageConfig c = snapshot::RootfsConfig(0);
    c.env.clear();
    c.cmd.clear();
    c.created.clear();
    auto ingest = store->BeginIngest();
    ASSIGN_OR_RETURN(desc, snapshot::CommitImage(snapshot::ImageDraft{c, {}}, *ingest));
  } else {
    auto image = s.engine->ResolveImage(base);
    if (!image.ok() && image.status().code() == Code::kNotFound) {
      // Not local: a reference with a registry host is pulled, as a job's image is.
      ASSIGN_OR_RETURN(images::Resolver * resolver, s.engine->Resolver());
      image = resolver->Prepare(base, s.request->log);
    }
    if (!image.ok())
      return ErrorAt(in.words[0].loc, "FROM " + base + ": " + image.status().message());
    desc = image->loaded.descriptor;
  }
  std::string name = CacheName(Key(desc.digest, "FROM"));
  RETURN_IF_ERROR(store->Tag(name, desc));
  return Use(s, name);
}

// One step after FROM: planned, then reused from the cache or made.
Status Step(const Instruction& in, BuildState& s, int* cached) {
  std::optional<StepPlan> plan;
  if (in.name == "ARG") {
    ASSIGN_OR_RETURN(plan, PlanArg(in, s, false));
  } else if (in.name == "RUN") {
    ASSIGN_OR_RETURN(plan, PlanRun(in, s));
  } else if (in.name == "COPY" || in.name == "ADD") {
    ASSIGN_OR_RETURN(plan, PlanCopy(in, s));
  } else {
    ASSIGN_OR_RETURN(plan, PlanConfig(in, s));
  }
  std::string name = CacheName(Key(s.image.descriptor.digest, plan->key_text));
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  if (!s.request->no_cache && store->Resolve(name).ok()) {
    s.Log(" ---> Using cache");
    ++*cached;
    return Use(s, name);
  }
  auto made = plan->make(name);
  if (!made.ok()) {
    const std::string& m = made.status().message();
    if (m.rfind(ToString(in.loc), 0) == 0) return made.status();
    return made.status().WithContext(ToString(in.loc) + ": " + in.text);
  }
  RETURN_IF_ERROR(store->Tag(name, *made));
  return Use(s, name);
}

void WarnUnusedArgs(const BuildState& s) {
  std::string unused;
  for (const auto& [k, v] : s.request->build_args) {
    if (!s.used_build_args.count(k)) unused += (unused.empty() ? "" : ", ") + k;
  }
  if (!unused.empty()) s.Log("[Warning] One or more build-args [" + unused + "] were not consumed");
}

}  // namespace

Result<BuildResult> Build(jobs::Engine& engine, const BuildRequest& request) {
  BuildState s;
  s.engine = &engine;
  s.request = &request;
  std::string tag;
  if (!request.tag.empty()) {
    ASSIGN_OR_RETURN(tag, content::NormalizeImageName(request.tag));
  }
  ASSIGN_OR_RETURN(Dockerfile df, Load(request, s.context));
  s.escape = df.escape;
  BuildResult result;
  int total = static_cast<int>(df.instructions.size());
  bool seen_from = false;
  for (const Instruction& in : df.instructions) {
    s.Log("Step " + std::to_string(++result.steps) + "/" + std::to_string(total) + " : " + in.text);
    if (in.name == "FROM") {
      RETURN_IF_ERROR(From(in, s));
      seen_from = true;
    } else if (!seen_from) {
      RETURN_IF_ERROR(PlanArg(in, s, true).status());
      continue;
    } else {
      RETURN_IF_ERROR(Step(in, s, &result.cached_steps));
    }
    s.Log(" ---> " + s.image.descriptor.digest.Short());
  }
  WarnUnusedArgs(s);
  result.manifest_digest = s.image.descriptor.digest;
  result.reference = s.ref;
  s.Log("Successfully built " + result.manifest_digest.Short());
  if (!tag.empty()) {
    ASSIGN_OR_RETURN(content::ImageStore * store, engine.Store());
    RETURN_IF_ERROR(store->Tag(tag, s.image.descriptor).WithContext("tag " + tag));
    result.reference = tag;
    s.Log("Successfully tagged " + tag);
  }
  return result;
}

Result<int> ForgetBuildCache(jobs::Engine& engine) {
  ASSIGN_OR_RETURN(content::ImageStore * store, engine.Store());
  ASSIGN_OR_RETURN(std::vector<content::ImageRecord> records, store->List());
  int removed = 0;
  for (const auto& r : records) {
    if (r.name.rfind(kBuildCachePrefix, 0) != 0) continue;
    RETURN_IF_ERROR(store->Untag(r.name).WithContext("forget " + r.name));
    ++removed;
  }
  return removed;
}

}  // namespace kiln::build
