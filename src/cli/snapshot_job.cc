#include "cli/snapshot_job.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <set>

#include "base/clock.h"
#include "base/fs.h"
#include "snapshot/capture.h"
#include "workflow/expr.h"

namespace kiln::cli {
namespace {

bool LooksSecret(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const char* w : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "PRIVATE", "AUTH"}) {
    if (name.find(w) != std::string::npos) return true;
  }
  return false;
}

bool KilnOwned(const std::string& name) {
  return name.rfind("GITHUB_", 0) == 0 || name.rfind("RUNNER_", 0) == 0 || name == "CI" ||
         name == "HOME" || name == "ImageOS" || name == "ACTIONS_ALLOW_UNSECURE_COMMANDS";
}

// Mount targets, and their parents that the base image does not have (crun made them).
std::set<std::string> Excludes(const workflow::FinishedJob& job) {
  std::set<std::string> out;
  for (std::string p : job.mount_points) {
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    while (!p.empty()) {
      bool in_base = false;
      for (const auto& dir : job.image->lower_dirs) in_base |= PathExists(JoinPath(dir, p));
      if (in_base) break;
      out.insert(p);
      size_t slash = p.rfind('/');
      p = slash == std::string::npos ? "" : p.substr(0, slash);
    }
  }
  return out;
}

bool ShouldSnapshot(const workflow::FinishedJob& job, std::string* why) {
  workflow::ExprContext ctx;
  auto r = job.report->result;
  ctx.status = r == workflow::Outcome::kSuccess ? workflow::JobStatus::kSuccess
               : r == workflow::Outcome::kCancelled ? workflow::JobStatus::kCancelled
                                                     : workflow::JobStatus::kFailure;
  if (r == workflow::Outcome::kCancelled) {
    *why = "job was cancelled";
    return false;
  }
  auto ok = workflow::EvaluateCondition(job.job->snapshot->if_expr, ctx);
  if (!ok.ok()) {
    *why = ok.status().message();
    return false;
  }
  if (!*ok) *why = "snapshot if (" + job.job->snapshot->if_expr + ") is false for a job that ended in " +
                   workflow::OutcomeName(r);
  return *ok;
}

// Processes a job left in the background could grow its dirs after the last step's disk check:
// kill them (the sandbox's init stays), wait until none runs (freeze), and look once more,
// so what is packed is what was measured.
Status StopAndCheckDisk(runtime::Sandbox& sandbox) {
  RETURN_IF_ERROR(sandbox.Signal(SIGKILL));
  RETURN_IF_ERROR(sandbox.Freeze());
  Status disk = sandbox.CheckDisk();
  RETURN_IF_ERROR(sandbox.Thaw());
  return disk;
}

}  // namespace

std::vector<std::string> PersistableEnv(const std::vector<std::string>& base_env,
                                        const std::vector<std::string>& final_env,
                                        const std::vector<std::string>& secret_names,
                                        const std::vector<std::string>& secret_values,
                                        std::vector<std::string>* left_out) {
  std::set<std::string> secrets(secret_names.begin(), secret_names.end());
  std::vector<std::string> out = base_env;
  auto set = [&](const std::string& k, const std::string& kv) {
    for (auto& e : out) {
      if (e.rfind(k + "=", 0) == 0) { e = kv; return; }
    }
    out.push_back(kv);
  };
  for (const auto& kv : final_env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (KilnOwned(k)) continue;
    bool holds_secret = secrets.count(k) || LooksSecret(k);
    for (const auto& s : secret_values) holds_secret |= !s.empty() && v.find(s) != std::string::npos;
    if (!holds_secret) set(k, kv);
    else if (left_out != nullptr) left_out->push_back(k);
  }
  return out;
}

Status SnapshotJob(App& app, workflow::FinishedJob& job) {
  if (!job.job->snapshot) return Status::Ok();
  const workflow::SnapshotSpec& spec = *job.job->snapshot;
  std::string why;
  if (!ShouldSnapshot(job, &why)) {
    job.log("📸  no snapshot of " + spec.image_name + ": " + why);
    return Status::Ok();
  }
  RETURN_IF_ERROR(StopAndCheckDisk(*job.sandbox));
  ASSIGN_OR_RETURN(content::ImageStore * store, app.Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, app.Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, app.Layers());
  snapshot::CaptureRequest req;
  req.upper_dir = job.sandbox->UpperDir();
  req.exclude = Excludes(job);
  ASSIGN_OR_RETURN(req.base, store->Load(job.image->digest));
  req.image_name = spec.image_name;
  ASSIGN_OR_RETURN(req.version, catalog::ParseVersionSpec(spec.version));
  req.runner_size = job.size;
  req.source = "workflow " + job.workflow->file + ", job " + job.job->id + ", run " + job.run_id;
  if (spec.persist_env) {
    std::vector<std::string> left_out;
    req.env = PersistableEnv(req.base.config.env, job.final_env, job.secret_names, job.masks, &left_out);
    if (!left_out.empty()) {
      std::string names;
      for (const auto& n : left_out) names += (names.empty() ? "" : ", ") + n;
      job.log("📸  persist-env left out " + names + " (a secret's name, a name that looks secret, or a "
              "value holding a secret or ::add-mask:: value)");
    }
  }
  req.on_progress = job.log;
  job.log("📸  snapshot " + spec.image_name + (spec.version.empty() ? "" : " (version " + spec.version + ")") + ": capturing");
  Stopwatch watch;
  ASSIGN_OR_RETURN(snapshot::CaptureResult r, snapshot::Capture(req, *store, *cat));
  // The upper dir already is the new layer, unpacked: make it the cache entry.
  std::string staged = layers->PathFor(r.layer.diff_id) + ".adopt";
  Status kept = job.sandbox->DestroyKeepingUpper(staged);
  if (kept.ok()) {
    for (const auto& ex : req.exclude) (void)RemoveTree(JoinPath(staged, ex));
    kept = layers->Adopt(r.layer.diff_id, staged);
  }
  if (!kept.ok()) job.log("📸  (the next job will unpack the layer: " + kept.message() + ")");
  job.log("📸  " + spec.image_name + ":" + r.version.version.ToString() + " (latest) " +
          r.version.manifest.Short() + ", layer " + FormatBytes(r.layer.descriptor.size) + " (" +
          FormatBytes(r.layer.uncompressed_bytes) + " unpacked, " + std::to_string(r.layer.entries) +
          " entries) in " + FormatDuration(watch.Seconds()) + " [pack " + FormatDuration(r.pack_seconds) +
          ", image " + FormatDuration(r.build_seconds) + ", record " + FormatDuration(r.record_seconds) + "]");
  auto pruned = cat->Prune(spec.image_name, Clock::Real()->NowUnix());
  if (pruned.ok() && !pruned->empty()) {
    for (const auto& p : *pruned) job.log("📸  retention removed " + spec.image_name + ":" + p.version.ToString());
  }
  return Status::Ok();
}

}  // namespace kiln::cli
