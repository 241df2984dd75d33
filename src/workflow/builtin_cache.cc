// actions/cache, built in: entries in a local dir (RunOptions::cache_dir), scoped as GitHub
// scopes them (per repository, per branch; a branch restores its own and then the default
// branch's entries), one dir each, named by the sha256 of the path list (GitHub's cache
// "version") and the key:
//   <cache_dir>/<repo>/<ref>/<hash>/meta.json  {key, version, paths, created_ns}
//   <cache_dir>/<repo>/<ref>/<hash>/ws.tar, home.tar   the workspace's and $HOME's paths
// <repo>: sha256 of the repository's root dir (realpath) and github.repository; <ref>: sha256 of
// github.ref. So repository B never restores what repository A saved.
// An entry is written in a temp dir and renamed into place, so a crash never leaves half of
// one. Restoring extracts with snapshot::ApplyLayer (no `..`, no absolute links, nothing
// followed out of the target).
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "base/subprocess.h"
#include "snapshot/layer_apply.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/builtin_paths.h"
#include "workflow/builtin_safe_fs.h"

namespace kiln::workflow {
namespace {

std::string Input(const StepInputs& with, const std::string& key) {
  auto it = with.find(key);
  return it == with.end() ? "" : it->second;
}

struct Entry {
  std::string dir, key;
  int64_t created_ns = 0;
};

std::string Version(const StepInputs& with) {
  std::string joined;
  for (const auto& l : InputLines(Input(with, "path"))) joined += l + "\n";
  return Sha256::Hex(joined);
}

std::string RealPathOf(const std::string& p) {
  char* real = ::realpath(p.c_str(), nullptr);
  std::string out = real ? real : p;
  std::free(real);
  return out;
}

// The scope dirs to look in: the run's ref, then (when another) the default branch.
std::vector<std::string> Scopes(const JobContext& ctx) {
  const RunOptions& o = *ctx.options;
  const Json& gh = ctx.expr.contexts.count("github") ? ctx.expr.contexts.at("github") : Json();
  auto str = [](const Json& j, const char* k) {
    return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
  };
  std::string repo =
      o.cache_dir + "/" + Sha256::Hex(RealPathOf(o.workspace) + "\n" + str(gh, "repository"));
  std::string ref = str(gh, "ref");
  std::string dflt;
  if (gh.is_object() && gh.contains("event") && gh["event"].is_object()) {
    const Json& ev = gh["event"];
    if (ev.contains("repository")) dflt = str(ev["repository"], "default_branch");
  }
  if (!o.cache_default_branch.empty()) dflt = o.cache_default_branch;
  std::vector<std::string> out = {repo + "/" + Sha256::Hex(ref)};
  if (!dflt.empty() && "refs/heads/" + dflt != ref) {
    out.push_back(repo + "/" + Sha256::Hex("refs/heads/" + dflt));
  }
  return out;
}

std::string EntryDir(const std::string& scope, const std::string& version, const std::string& key) {
  return scope + "/" + Sha256::Hex(version + "\n" + key);
}

std::vector<Entry> EntriesOf(const std::string& scope, const std::string& version) {
  std::vector<Entry> out;
  auto names = ListDir(scope);
  if (!names.ok()) return out;
  for (const auto& n : *names) {
    if (n[0] == '.') continue;
    auto text = ReadFile(scope + "/" + n + "/meta.json");
    if (!text.ok()) continue;
    auto meta = ParseJson(*text, "cache entry");
    if (!meta.ok() || !meta->is_object() || meta->value("version", "") != version) continue;
    out.push_back({scope + "/" + n, meta->value("key", ""), meta->value("created_ns", 0L)});
  }
  return out;
}

// The entry to restore, in each scope in order: the exact key, else for each restore key in
// order the newest entry whose key starts with it (GitHub's order).
std::optional<Entry> Lookup(const JobContext& ctx, const StepInputs& with, bool* exact) {
  std::string version = Version(with), key = Input(with, "key");
  *exact = false;
  for (const auto& scope : Scopes(ctx)) {
    std::vector<Entry> all = EntriesOf(scope, version);
    for (const auto& e : all) {
      if (e.key == key) return *exact = true, e;
    }
    for (const auto& prefix : InputLines(Input(with, "restore-keys"))) {
      const Entry* best = nullptr;
      for (const auto& e : all) {
        if (e.key.rfind(prefix, 0) != 0) continue;
        if (best == nullptr || e.created_ns > best->created_ns) best = &e;
      }
      if (best != nullptr) return *best;
    }
  }
  return std::nullopt;
}

Status Extract(const std::string& tar, const std::string& root) {
  if (!PathExists(tar)) return Status::Ok();
  RETURN_IF_ERROR(MakeDirs(root));
  int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + tar, errno);
  UniqueFd owned(fd);
  snapshot::ApplyOptions opts;
  opts.name = "cache entry " + tar;
  return ApplyLayer(fd, oci::Compression::kNone, root, opts).status();
}

Status CheckInputs(const JobContext& ctx, const StepInputs& with) {
  if (ctx.options->cache_dir.empty()) {
    return FailedPrecondition("actions/cache: no cache dir is set (kiln run --cache-dir DIR)");
  }
  if (Input(with, "key").empty()) return InvalidArgument("actions/cache: input key is required");
  std::vector<std::string> keys = InputLines(Input(with, "restore-keys"));
  keys.push_back(Input(with, "key"));
  for (const auto& k : keys) {
    if (k.size() > 512 || k.find(',') != std::string::npos) {
      // The key is not echoed: cut, a secret in it would escape masking.
      return InvalidArgument("actions/cache: a key (" + std::to_string(k.size()) +
                             " characters) is longer than 512 characters or holds a comma "
                             "(as on GitHub)");
    }
  }
  if (InputLines(Input(with, "path")).empty()) {
    return InvalidArgument("actions/cache: input path is required");
  }
  return Status::Ok();
}

// Tars the paths below `root` (relative names) into `tar`; nothing when there are none.
Status WriteTar(const std::string& root, const std::vector<std::string>& rel,
                const std::string& tar) {
  if (rel.empty()) return Status::Ok();
  std::vector<std::string> argv = {
      "tar", "--create", "--numeric-owner", "--file", tar, "--directory", root, "--"};
  argv.insert(argv.end(), rel.begin(), rel.end());
  return RunChecked(argv).status().WithContext("actions/cache: tar");
}

}  // namespace

Status CacheRestore(JobContext& ctx, const Step&, const StepInputs& with, Json& outputs) {
  RETURN_IF_ERROR(CheckInputs(ctx, with));
  bool exact = false;
  std::optional<Entry> e = Lookup(ctx, with, &exact);
  outputs["cache-hit"] = exact ? "true" : "false";
  if (!e) {
    std::string keys = Input(with, "key");
    for (const auto& k : InputLines(Input(with, "restore-keys"))) keys += ", " + k;
    if (Input(with, "fail-on-cache-miss") == "true") {
      return NotFound("actions/cache: no cache entry for the keys " + keys +
                      " (fail-on-cache-miss)");
    }
    ctx.Print("Cache not found for input keys: " + keys);
    return Status::Ok();
  }
  outputs["cache-matched-key"] = e->key;
  if (Input(with, "lookup-only") == "true") {
    ctx.Print("Cache found (lookup only) for key: " + e->key);
    return Status::Ok();
  }
  RETURN_IF_ERROR(Extract(e->dir + "/ws.tar", WorkspaceHostDir(ctx)));
  RETURN_IF_ERROR(Extract(e->dir + "/home.tar", HomeHostDir(ctx)));
  ctx.Print("Cache restored from key: " + e->key);
  return Status::Ok();
}

Status CacheSave(JobContext& ctx, const Step&, const StepInputs& with, Json&) {
  RETURN_IF_ERROR(CheckInputs(ctx, with));
  std::string scope = Scopes(ctx)[0];
  std::string version = Version(with), key = Input(with, "key");
  std::string final_dir = EntryDir(scope, version, key);
  if (PathExists(final_dir)) {
    ctx.Print("Cache hit occurred on the primary key " + key + ", not saving cache.");
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(PathMatches m, MatchPatterns(ctx, Input(with, "path")));
  std::vector<std::string> ws, home;
  std::string ws_root = NormalizePath(WorkspaceHostDir(ctx));
  std::string home_root = NormalizePath(HomeHostDir(ctx));
  for (size_t i = 0; i < m.paths.size(); ++i) {
    const std::string& p = m.paths[i];
    bool nested = std::any_of(m.paths.begin(), m.paths.begin() + static_cast<long>(i),
                              [&](const std::string& q) { return PathWithin(q, p); });
    if (nested) continue;  // a tar entry twice would be refused on restore
    // Paths below both roots (a home inside the workspace) belong to the deeper one.
    bool in_home =
        PathWithin(home_root, p) && (!PathWithin(ws_root, p) || home_root.size() > ws_root.size());
    const std::string& root = in_home ? home_root : ws_root;
    // tar follows a link on the way to a path (link/id_rsa): the path's dir must resolve inside
    // the workspace or $HOME. (A link as the last component is stored as a link.)
    if (p != root && !ResolvesInside(ctx, p.substr(0, p.rfind('/')))) {
      BuiltinWarning(ctx, "actions/cache: " + JobPathOf(ctx, p) +
                              " is reached through a symlink out of the workspace and $HOME: "
                              "not cached");
      continue;
    }
    (in_home ? home : ws).push_back(p == root ? "." : p.substr(root.size() + 1));
  }
  if (ws.empty() && home.empty()) {
    BuiltinWarning(ctx, "actions/cache: no path to cache exists; no cache is saved");
    return Status::Ok();
  }
  RETURN_IF_ERROR(MakeDirs(ctx.options->cache_dir, 0700));
  RETURN_IF_ERROR(MakeDirs(scope, 0700));
  ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(scope, ".tmp-"));
  Json meta = {{"key", key},
               {"version", version},
               {"paths", InputLines(Input(with, "path"))},
               {"created_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count()}};
  Status s = WriteTar(ws_root, ws, tmp + "/ws.tar");
  if (s.ok()) s = WriteTar(home_root, home, tmp + "/home.tar");
  if (s.ok()) s = WriteFileAtomic(tmp + "/meta.json", DumpJson(meta, 2) + "\n");
  if (s.ok() && ::rename(tmp.c_str(), final_dir.c_str()) != 0) {
    s = errno == EEXIST || errno == ENOTEMPTY ? Status::Ok()  // another job saved it first
                                              : ErrnoStatus("rename " + final_dir, errno);
  }
  (void)RemoveTree(tmp);
  if (s.ok()) ctx.Print("Cache saved with key: " + key);
  return s;
}

Status CachePost(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs) {
  if (ctx.expr.status != JobStatus::kSuccess && Input(with, "save-always") != "true") {
    ctx.Print("actions/cache: the job did not succeed; no cache is saved");
    return Status::Ok();
  }
  if (Input(with, "lookup-only") == "true") return Status::Ok();
  return CacheSave(ctx, step, with, outputs);
}

}  // namespace kiln::workflow
