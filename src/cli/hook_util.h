// The runner's part for the `kiln hook` tests: a temporary runner layout, the reference's
// sample inputs rewritten to it (as actions/runner-container-hooks' own tests rewrite them), and
// `kiln hook` calls with the runner's environment.
#pragma once

#include <string>
#include <vector>

#include "cli/e2e_util.h"

namespace kiln::cli {

class HookE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    runner_ = dir_.Sub("runner");
    work_ = runner_ + "/_work";
    for (const char* d : {"/_work/repo/repo", "/externals", "/_work/_temp/_github_home",
                          "/_work/_temp/_github_workflow", "/_work/_actions", "/_work/_tool"}) {
      ASSERT_TRUE(MakeDirs(runner_ + d).ok());
    }
    ASSERT_TRUE(WriteFileAtomic(work_ + "/repo/repo/example-script.sh",
                                "#!/bin/sh\n\necho \"Hello World\"\n", 0755)
                    .ok());
    testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
    ASSERT_EQ(Kiln({"-q", "image", "import", dir_.Sub("rootfs"), "busybox:1"}).code, 0);
    map_ = {"-P", "node:22=busybox:1", "-P", "redis=busybox:1"};
  }
  // A test that stopped half way leaves no sandbox mounted under the scratch dir.
  void TearDown() override {
    if (!runner_.empty()) HookText("{\"command\": \"cleanup_job\"}\n");
  }
  // A sample of ../shared/external/runner-container-hooks with its paths moved under runner_.
  Json Sample(const std::string& name) {
    auto text =
        ReadFile(testing::SourceDir() + "/../shared/external/runner-container-hooks/" + name);
    EXPECT_TRUE(text.ok());
    auto j = ParseJson(text.ok() ? *text : "{}");
    EXPECT_TRUE(j.ok());
    Json sample = j.ok() ? *j : Json::object();
    for (auto* args : {&sample["args"], &sample["args"]["container"]}) {
      for (const char* key : {"systemMountVolumes", "userMountVolumes"}) {
        if (!args->is_object() || !args->contains(key)) continue;
        for (auto& m : (*args)[key]) m["sourceVolumePath"] = Moved(m["sourceVolumePath"]);
      }
    }
    if (sample.contains("responseFile") && sample["responseFile"].is_string()) {
      sample["responseFile"] = work_ + "/_temp/response.json";
    }
    return sample;
  }
  KilnResult Hook(const Json& input, std::vector<std::string> extra_env = {}) {
    return HookText(DumpJson(input) + "\n", extra_env);
  }
  KilnResult HookText(const std::string& stdin_text, std::vector<std::string> extra_env = {}) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "hook"};
    argv.insert(argv.end(), map_.begin(), map_.end());
    std::string shim_args;
    for (const auto& w : map_) shim_args += w + " ";
    // As the runner runs it: its node, the shim, kiln found through KILN_BIN.
    if (through_shim_) {
      argv = {"node", testing::SourceDir() + "/dist/kiln-hook.js"};
      extra_env.insert(extra_env.end(),
                       {"KILN_BIN=" + testing::KilnBinary(), "KILN_STATE_DIR=" + state_,
                        "KILN_HOOK_ARGS=" + shim_args});
    }
    SubprocessOptions o;
    o.cwd = ws_;
    o.stdin_data = stdin_text;
    o.env = std::vector<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "RUNNER_NAME=kiln-test",
                                     "GITHUB_WORKSPACE=" + work_ + "/repo/repo",
                                     "RUNNER_TEMP=" + work_ + "/_temp"};
    o.env->insert(o.env->end(), extra_env.begin(), extra_env.end());
    if (const char* init = std::getenv("KILN_INIT"))
      o.env->push_back(std::string("KILN_INIT=") + init);
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  std::string Moved(const Json& source) {
    std::string s = source.get<std::string>();
    for (const char* layout :
         {"//Users/thomas/git/runner/_layout", "/Users/thomas/git/runner/_layout"}) {
      if (s.rfind(layout, 0) == 0) return runner_ + s.substr(std::string(layout).size());
    }
    return s;  // a volume name, or /var/run/docker.sock
  }
  std::string runner_, work_;
  std::vector<std::string> map_;
  bool through_shim_ = false;  // run `node dist/kiln-hook.js` instead of `kiln hook`
};

}  // namespace kiln::cli
