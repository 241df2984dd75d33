// The kiln side of the in-sandbox `kiln-snapshot NAME [--version N.*]` command: what a front door
// sets as ExecSpec::on_snapshot for the steps it runs, for a persistent job sandbox (the
// sandboxes of `kiln hook` and `kiln gitlab`) or a job session's (`kiln run`).
#pragma once

#include <functional>
#include <string>

#include "jobs/engine.h"
#include "jobs/session.h"
#include "runtime/sandbox.h"

namespace kiln::jobs {

// A handler that checks the asked name (an OCI repository name) and version spec ("N.*" or ""),
// then captures the persistent sandbox `sandbox_id` as the next version of that name
// (SnapshotSandbox, waiting its turn behind another capture of it; the sandbox, the asking
// process with it, is frozen while its changes are captured) and answers "NAME:X.Y.Z".
// `log` (may be null) gets one line per capture asked for and one per version made; a refused
// or failed capture is the handler's error, which the command prints and fails with.
std::function<Result<std::string>(const runtime::SnapshotAsk&)> SnapshotHandler(
    Engine& engine, std::string sandbox_id, std::function<void(const std::string&)> log);

// The same for the sandbox of a job session (`kiln run`'s jobs, whose sandboxes are not
// persistent): JobSession::CaptureVersion, logged to the job's log. Call it on the session's
// thread (ExecSpec::on_snapshot runs on the Exec thread: the step's).
std::function<Result<std::string>(const runtime::SnapshotAsk&)> SessionSnapshotHandler(
    JobSession& session);

}  // namespace kiln::jobs
