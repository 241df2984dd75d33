// act's own test workflows (../shared/external/act-testdata, as listed in
// ../shared/external/README.md) with the outcome act's suite expects, and kiln's result today:
// one table shared by the runner test on the fake runtime (act_cases_test.cc) and the e2e test
// under crun (cli/run_itest.cc). A case kiln passes asserts act's outcome; a case kiln does not
// pass yet asserts that it fails the way `kiln_status` says, so the table stays honest (flip
// an entry to "pass" once the feature lands). docs/compat.md shows the same table.
#pragma once

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace kiln::workflow {

struct ActCase {
  std::string dir;          // under act-testdata/
  std::string file;         // workflow file in it
  std::string event;        // the triggering event (act's test passes it)
  bool success;             // act's expected overall result
  std::string failing_job;  // act's: the job that must fail ("" = a planner error)
  std::string message;      // act's: text the run's output or error must contain ("" = none)
  // "pass"; "fails: WHY" (kiln differs today: the run fails, in job kiln_job with
  // kiln_message in its output, or with a planner error containing kiln_message); or
  // "skipped: WHY" (not run: no image here has what it needs).
  std::string kiln_status = "pass";
  std::string kiln_job = "";
  std::string kiln_message = "";
};

inline bool Passes(const ActCase& c) { return c.kiln_status == "pass"; }
inline bool Skipped(const ActCase& c) { return c.kiln_status.rfind("skipped", 0) == 0; }

inline const std::vector<ActCase>& ActCases() {
  static const std::vector<ActCase> cases = {
      {"commands", "push.yml", "push", true, "", ""},
      {"container-hostname", "push.yml", "push", true, "", ""},
      {"defaults-run", "main.yaml", "push", true, "", ""},
      {"dir with spaces", "push.yml", "push", true, "", ""},
      {"env-and-path", "push.yaml", "push", true, "", ""},
      {"environment-files", "push.yaml", "push", true, "", ""},
      {"environment-variables", "push.yml", "push", true, "", ""},
      {"evalenv", "push.yml", "push", true, "", ""},
      {"evalmatrix", "push.yml", "push", true, "", ""},
      {"evalmatrix-merge-array", "push.yml", "push", true, "", ""},
      {"evalmatrix-merge-map", "push.yml", "push", true, "", ""},
      {"evalmatrixneeds", "push.yml", "push", true, "", ""},
      {"fail", "push.yml", "push", false, "build", "(exit code 1)"},
      {"if-env-act", "push.yml", "push", true, "", "",
       "fails: kiln does not set env.ACT (it is not act)", "if_env_test", "(exit code 1)"},
      {"issue-1595", "missing.yml", "push", false, "",
       "missing.yml:7:12: job second needs \"first\", which is not a job in this workflow"},
      {"issue-1595", "no-event.yml", "push", false, "", "no-event.yml:1:1: workflow has no `on`"},
      {"issue-1595", "no-first.yml", "push", false, "",
       "no-first.yml:7:12: job second needs \"first\", which is not a job in this workflow"},
      {"job-container", "push.yml", "push", true, "", ""},
      {"job-nil-step", "push.yml", "push", true, "", ""},
      {"job-status-check", "push.yml", "push", false, "fail", ""},
      {"matrix", "push.yml", "push", true, "", ""},
      {"matrix-exitcode", "push.yml", "push", false, "test", ""},
      {"matrix-include-exclude", "push.yml", "push", true, "", ""},
      {"runs-on", "push.yml", "push", true, "", ""},
      {"secrets", "push.yml", "push", true, "", ""},
      {"services", "push.yaml", "push", true, "", ""},
      {"shells/bash", "push.yml", "push", true, "", ""},
      {"shells/sh", "push.yml", "push", true, "", ""},
      {"shells/defaults", "push.yml", "push", true, "", ""},
      {"shells/python", "push.yml", "push", true, "", "",
       "skipped: no image made here has python (the Debian minbase image has none)"},
      {"shells/pwsh", "push.yml", "push", true, "", "",
       "skipped: no image made here has pwsh (act uses catthehacker/ubuntu:pwsh-latest)"},
      {"shells/custom", "push.yml", "push", true, "", "",
       "skipped: no image made here has pwsh (act uses catthehacker/ubuntu:pwsh-latest)"},
      {"steps-context/conclusion", "push.yml", "push", true, "", ""},
      {"steps-context/outcome", "push.yml", "push", true, "", ""},
      // These two need their event.json as the payload: `kiln run -e event.json`.
      {"workflow_call_inputs", "workflow_call_inputs.yml", "workflow_call", true, "", ""},
      {"workflow_dispatch", "workflow_dispatch.yml", "workflow_dispatch", true, "", ""},
      {"workflow_dispatch-scalar", "workflow_dispatch.yml", "workflow_dispatch", true, "", ""},
  };
  return cases;
}

// A case's .secrets or .env (NAME=VALUE lines; "…" values with \n escapes), as act's test
// passes them; {} when the file does not exist. Only for these test files.
inline std::map<std::string, std::string> ReadActDotEnv(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      std::string u;
      for (size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size() && v[i + 1] == 'n') {
          u += '\n';
          ++i;
        } else {
          u += v[i];
        }
      }
      v = u;
    }
    out[line.substr(0, eq)] = v;
  }
  return out;
}

// What a run of a case did, however it was run.
struct ActObserved {
  bool planned = true;  // false: parsing or planning failed (text holds the error)
  bool success = false;
  std::vector<std::string> failed_jobs;  // ids of the jobs whose result is failure
  std::string text;                      // the run's output, or the error
};

// "" when `o` is what the case's row says (act's outcome if kiln passes it, else the failure
// kiln_status names), else what differs.
inline std::string ActMismatch(const ActCase& c, const ActObserved& o) {
  bool pass = Passes(c);
  std::string job = pass ? c.failing_job : c.kiln_job;
  std::string message = pass ? c.message : c.kiln_message;
  bool want_success = pass && c.success;
  bool want_planned = pass ? c.success || !c.failing_job.empty() : !c.kiln_job.empty();
  if (o.planned != want_planned)
    return want_planned ? "a planner error: " + o.text : "planned, but a planner error was due";
  if (o.success != want_success) return want_success ? "failed" : "succeeded";
  auto& failed = o.failed_jobs;
  if (!job.empty() && std::find(failed.begin(), failed.end(), job) == failed.end())
    return "job " + job + " did not fail";
  // Only that job fails (act's job-status-check: `next`, whose need's need failed, is skipped).
  for (const auto& f : failed) {
    if (pass && f != job) return "job " + f + " failed too";
  }
  if (!message.empty() && o.text.find(message) == std::string::npos)
    return "no \"" + message + "\" in the output";
  return "";
}

}  // namespace kiln::workflow
