// act's own test workflows. Left out: cases that test act-specific values (runs-on greps
// GITHUB_ACTOR for "nektos/act", if-env-act needs env.ACT), images we do not have
// (services: postgres, job-container), and inputs/events kiln does not model yet.
// act's own test workflows (../shared/external/act-testdata) with the outcome act's suite
// expects, shared by the runner tests on the fake runtime and the e2e tests under crun.
#pragma once

#include <string>
#include <vector>

namespace kiln::workflow {

struct ActCase {
  std::string dir;          // under act-testdata/
  std::string file;         // workflow file in it
  bool success;             // expected overall result
  std::string failing_job;  // for failures: the job that must fail
};

inline const std::vector<ActCase>& ActCases() {
  static const std::vector<ActCase> cases = {
      {"env-and-path", "push.yaml", true, ""},
      {"environment-files", "push.yaml", true, ""},
      {"defaults-run", "main.yaml", true, ""},
      {"commands", "push.yml", true, ""},
      {"steps-context/outcome", "push.yml", true, ""},
      {"steps-context/conclusion", "push.yml", true, ""},
      {"fail", "push.yml", false, "build"},
      {"matrix", "push.yml", true, ""},
      {"matrix-include-exclude", "push.yml", true, ""},
      {"matrix-exitcode", "push.yml", false, "test"},
      {"job-status-check", "push.yml", false, "fail"},
      {"evalenv", "push.yml", true, ""},
      {"environment-variables", "push.yml", true, ""},
      {"job-nil-step", "push.yml", true, ""},
  };
  return cases;
}

}  // namespace kiln::workflow
