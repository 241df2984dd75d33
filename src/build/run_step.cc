// RUN: a sandbox from the current image runs the command; its changes become a layer
// (jobs::JobSession::CaptureNow), and the image's config gets RUN's history entry.
#include "base/json.h"
#include "build/steps.h"
#include "jobs/session.h"
#include "snapshot/capture.h"
#include "snapshot/image_build.h"

namespace kiln::build {
namespace {

// The capture's labels that describe a job's snapshot, not a built image.
void DropSnapshotLabels(const oci::ImageConfig& parent, oci::ImageConfig& c) {
  for (const char* label :
       {snapshot::kLabelBaseDigest, snapshot::kLabelRunnerSize, snapshot::kLabelSource}) {
    if (!parent.labels.count(label)) c.labels.erase(label);
  }
}

Result<oci::Descriptor> RunAndCapture(BuildState& s, const Instruction& in,
                                      const std::vector<std::string>& argv,
                                      const std::string& created_by,
                                      const std::string& cache_name) {
  jobs::JobRequest job;
  job.name = "kiln build: " + ToString(in.loc);
  job.image = s.ref;
  job.source = "kiln build " + s.request->tag;
  job.refill_pool = false;  // no later job runs this step's image
  job.log = nullptr;  // the session's own lines (layers unpacked, capturing) are not build output
  jobs::JobSession session(*s.engine, job);
  RETURN_IF_ERROR_CTX(session.PrepareSandbox(), ToString(in.loc) + ": " + in.text);
  s.Log(" ---> Running in " + session.sandbox().id());
  runtime::ExecSpec exec;
  exec.args = argv;
  exec.env = RunEnv(s);
  std::string partial[2];  // a line longer than the agent's limit comes in pieces: joined
  exec.on_line = [&s, &partial](const std::string& line, bool is_stderr, bool unfinished) {
    std::string& p = partial[is_stderr ? 1 : 0];
    p += line;
    if (unfinished && p.size() < (1 << 20)) return;  // else flushed in 1 MiB pieces
    s.Log(p);
    p.clear();
  };
  ASSIGN_OR_RETURN(int code, session.sandbox().Exec(exec));
  if (code != 0) {
    return FailedPrecondition(ToString(in.loc) + ": " + in.text + ": exit code " +
                              std::to_string(code));
  }
  ASSIGN_OR_RETURN(content::LoadedImage captured, session.CaptureNow(cache_name));
  RETURN_IF_ERROR(session.TearDown());
  oci::ImageConfig config = captured.config;
  if (!config.history.empty()) {
    config.history.back().created_by = created_by;
    config.history.back().comment = "kiln build";
  }
  DropSnapshotLabels(s.image.config, config);
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  auto ingest = store->BeginIngest();
  return snapshot::CommitImage(snapshot::DraftFrom(config, captured.manifest), *ingest);
}

}  // namespace

Result<StepPlan> PlanRun(const Instruction& in, BuildState& s) {
  std::vector<std::string> argv = in.exec_form ? in.exec : ShellOf(s.image.config);
  if (!in.exec_form) argv.push_back(in.rest);
  if (argv.empty()) return ErrorAt(in.loc, "RUN []: nothing to run");
  // As docker records it: the ARGs the command sees, then the command.
  Json args = Json::array();
  for (const auto& [k, v] : s.args) args.push_back(k + "=" + v);
  std::string created_by = "RUN " + DumpJson(Json(argv));
  std::string key = "RUN " + DumpJson(args) + " " + DumpJson(Json(argv));
  return StepPlan{key, [&s, in, argv, created_by](const std::string& cache_name) {
                    return RunAndCapture(s, in, argv, created_by, cache_name);
                  }};
}

}  // namespace kiln::build
