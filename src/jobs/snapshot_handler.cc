#include "jobs/snapshot_handler.h"

#include "base/clock.h"
#include "catalog/version.h"
#include "jobs/sandboxes.h"
#include "oci/reference.h"

namespace kiln::jobs {

namespace {

Result<catalog::VersionSpec> CheckAsk(const runtime::SnapshotAsk& ask) {
  RETURN_IF_ERROR(oci::ValidateRepositoryName(ask.name));
  return catalog::ParseVersionSpec(ask.version);
}

}  // namespace

std::function<Result<std::string>(const runtime::SnapshotAsk&)> SnapshotHandler(
    Engine& engine, std::string sandbox_id, std::function<void(const std::string&)> log) {
  return [&engine, id = std::move(sandbox_id),
          log = std::move(log)](const runtime::SnapshotAsk& ask) -> Result<std::string> {
    ASSIGN_OR_RETURN(catalog::VersionSpec spec, CheckAsk(ask));
    if (log) log("📸  kiln-snapshot " + ask.name + ": capturing the sandbox");
    ASSIGN_OR_RETURN(SandboxCapture made, SnapshotSandbox(engine, id, ask.name, spec, true));
    std::string ref = ask.name + ":" + made.version.version.ToString();
    if (log) log("📸  " + ref + " (latest), frozen " + FormatDuration(made.frozen_seconds));
    return ref;
  };
}

std::function<Result<std::string>(const runtime::SnapshotAsk&)> SessionSnapshotHandler(
    JobSession& session) {
  return [&session](const runtime::SnapshotAsk& ask) -> Result<std::string> {
    ASSIGN_OR_RETURN(catalog::VersionSpec spec, CheckAsk(ask));
    ASSIGN_OR_RETURN(catalog::VersionRecord v, session.CaptureVersion(ask.name, spec));
    return ask.name + ":" + v.version.ToString();
  };
}

}  // namespace kiln::jobs
