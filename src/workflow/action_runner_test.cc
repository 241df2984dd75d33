// Steps that use actions, on the fake (host) runtime: composite actions (inputs, defaults,
// outputs, nesting, if, env, shell, recursion), resolution (workspace, --action-cache, a missing
// action), JavaScript actions with pre and post steps.
#include "workflow/action_runner.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class ActionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = dir_.Sub("ws");
    cache_ = dir_.Sub("cache");
    ASSERT_TRUE(MakeDirs(ws_).ok());
  }
  void Write(const std::string& path, const std::string& text) {
    size_t slash = path.rfind('/');
    ASSERT_TRUE(MakeDirs(path.substr(0, slash)).ok());
    ASSERT_TRUE(WriteFileAtomic(path, text).ok());
  }
  RunReport Run(const std::string& yaml) {
    auto wf = ParseWorkflow(yaml, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = ws_;
    // --bind: these tests are about actions and reusable workflows, and read what steps wrote
    // (and the paths errors name) in the checkout itself; workspace_copy_test covers the copy.
    o.bind_workspace = bind_;
    o.scratch_dir = dir_.Sub("runs");
    o.action_cache = cache_;
    o.runners.default_image = "host";
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  bool Logged(const std::string& s) const { return log_.find(s) != std::string::npos; }
  size_t At(const std::string& s) const { return log_.find(s); }

  testing::ScratchDir dir_;
  std::string ws_, cache_, log_;
  bool bind_ = true;
};

constexpr const char* kGreet = R"YML(name: greet
inputs:
  who: {required: true}
  greeting: {default: "hello from ${{ github.job }}"}
outputs:
  said: {value: "${{ steps.say.outputs.said }}"}
  dir: {value: "${{ github.action_path }}"}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "said=${{ inputs.greeting }}, ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "outer env: $OUTER; inner env: $INNER; pwd: $(basename "$PWD")"
        test -f "$GITHUB_ACTION_PATH/action.yml"
      env: {INNER: in}
      working-directory: sub
    - if: failure()
      shell: sh
      run: echo never-runs
    - shell: sh
      run: echo "shell sh ok in $(basename "$PWD")"
)YML";

TEST_F(ActionRunnerTest, CompositeInputsDefaultsOutputsEnvAndIf) {
  Write(ws_ + "/.github/actions/greet/action.yml", kGreet);
  ASSERT_TRUE(MakeDirs(ws_ + "/sub").ok());
  RunReport r = Run(R"YML(on: push
jobs:
  j:
    runs-on: x
    defaults: {run: {working-directory: sub}}
    steps:
      - id: g
        uses: ./.github/actions/greet
        with: {who: world}
        env: {OUTER: out}
      - run: |
          test "${{ steps.g.outputs.said }}" = "hello from j, world"
          test "${{ steps.g.outputs.dir }}" = /github/workspace/.github/actions/greet
)YML");
  EXPECT_TRUE(r.success) << log_;
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].steps.size(), 2u) << "the composite is one step of the job";
  EXPECT_TRUE(Logged("outer env: out; inner env: in; pwd: sub")) << log_;
  EXPECT_TRUE(Logged("shell sh ok in ws")) << log_;  // defaults.run stays out of actions
  EXPECT_FALSE(Logged("never-runs")) << log_;
}

TEST_F(ActionRunnerTest, NestedCompositesAndAFailingInnerStep) {
  Write(ws_ + "/a/action.yml", R"YML(outputs:
  v: {value: "${{ steps.inner.outputs.v }}-a"}
runs:
  using: composite
  steps:
    - id: inner
      uses: ./b
      with: {x: "${{ github.job }}"}
)YML");
  Write(ws_ + "/b/action.yml", R"YML(inputs: {x: {}}
outputs:
  v: {value: "${{ steps.s.outputs.v }}"}
runs:
  using: composite
  steps:
    - id: s
      shell: sh
      run: echo "v=b-${{ inputs.x }}" >> "$GITHUB_OUTPUT"
)YML");
  Write(ws_ + "/fails/action.yml", R"YML(runs:
  using: composite
  steps:
    - {shell: sh, run: exit 4}
    - {shell: sh, run: echo after-failure, if: failure()}
)YML");
  RunReport r = Run(R"YML(on: push
jobs:
  j:
    runs-on: x
    steps:
      - id: a
        uses: ./a
      - run: test "${{ steps.a.outputs.v }}" = b-j-a
      - uses: ./fails
      - if: failure()
        run: echo job-saw-failure
)YML");
  EXPECT_FALSE(r.success) << log_;
  ASSERT_EQ(r.jobs[0].steps.size(), 4u);
  EXPECT_EQ(r.jobs[0].steps[1].outcome, Outcome::kSuccess) << log_;
  EXPECT_EQ(r.jobs[0].steps[2].outcome, Outcome::kFailure) << log_;
  EXPECT_TRUE(Logged("after-failure")) << log_;
  EXPECT_TRUE(Logged("job-saw-failure")) << log_;
}

TEST_F(ActionRunnerTest, CompositeUsingItselfIsAnErrorNamingTheChain) {
  Write(ws_ + "/loop/action.yml", "runs:\n  using: composite\n  steps:\n    - uses: ./other\n");
  Write(ws_ + "/other/action.yml", "runs:\n  using: composite\n  steps:\n    - uses: ./loop\n");
  RunReport r = Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./loop\n");
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(Logged("composite action uses itself: ./loop (t.yml:6:15) → ./other (" + ws_ +
                     "/loop/action.yml:4:13) → ./loop (" + ws_ + "/other/action.yml:4:13)"))
      << log_;
}

TEST_F(ActionRunnerTest, MissingActionsSayWhereToPutThem) {
  RunReport r =
      Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: acme/tool@v2\n"
          "      - uses: ./nowhere\n        if: always()\n");
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(
      Logged("t.yml:6:15: action acme/tool@v2 is not built into kiln and not in the "
             "action cache " +
             cache_ +
             "; kiln does not download actions: put a copy of it in "
             "--action-cache " +
             cache_ + " as " + cache_ + "/acme/tool@v2"))
      << log_;
  EXPECT_TRUE(
      Logged("t.yml:7:15: action ./nowhere: no action.yml or action.yaml in " + ws_ + "/nowhere"))
      << log_;
}

// On the job's copy of the checkout the error still names the checkout, where it can be fixed.
TEST_F(ActionRunnerTest, MissingLocalActionNamesTheCheckoutNotTheCopy) {
  bind_ = false;
  RunReport r = Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./nowhere\n");
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(
      Logged("t.yml:6:15: action ./nowhere: no action.yml or action.yaml in " + ws_ + "/nowhere"))
      << log_;
}

// A step may leave a symlink in the workspace; `uses: ./link` must not run the action it
// points at outside the repository.
TEST_F(ActionRunnerTest, LocalActionThroughASymlinkOutIsRefused) {
  std::string outside = dir_.Sub("outside");
  Write(outside + "/action.yml",
        "runs:\n  using: composite\n  steps:\n    - {shell: sh, run: echo escaped-action}\n");
  RunReport r =
      Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
          "      - run: ln -s " +
          outside +
          " link\n"
          "      - uses: ./link\n");
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(Logged("escaped-action")) << log_;
  EXPECT_TRUE(Logged("t.yml:7:15: action ./link: ")) << log_;
  EXPECT_TRUE(Logged("leads out of the repository through a symlink")) << log_;
}

TEST_F(ActionRunnerTest, ActionCacheHoldsOwnerRepoAtRefWithASubPath) {
  Write(cache_ + "/acme/tools@v1/hello/action.yaml", R"YML(inputs:
  name: {default: kiln}
  unused: {default: x}
outputs:
  o: {value: "${{ steps.s.outputs.o }}"}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: echo "o=$(cat "$GITHUB_ACTION_PATH/data.txt") ${{ inputs.name }}" >> "$GITHUB_OUTPUT"
)YML");
  Write(cache_ + "/acme/tools@v1/hello/data.txt", "from-cache");
  RunReport r = Run(R"YML(on: push
jobs:
  j:
    runs-on: x
    steps:
      - id: h
        uses: acme/tools/hello@v1
        with: {bogus: 1}
      - run: test "${{ steps.h.outputs.o }}" = "from-cache kiln"
)YML");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(
      Logged("t.yml:7:15: Unexpected input(s) 'bogus', valid inputs are ['name', "
             "'unused']"))
      << log_;
  ASSERT_EQ(r.jobs[0].annotations.size(), 1u);
  EXPECT_EQ(r.jobs[0].annotations[0].level, "warning");
  EXPECT_EQ(r.jobs[0].annotations[0].line, 7);
}

TEST_F(ActionRunnerTest, JavaScriptActionsRunPreMainAndPostInGitHubsOrder) {
  for (const char* name : {"one", "two"}) {
    std::string d = ws_ + "/" + name;
    Write(d + "/action.yml", std::string("inputs: {msg: {default: d}}\n") +
                                 "outputs: {o: {}}\nruns:\n  using: node20\n  main: main.js\n"
                                 "  pre: pre.js\n  post: post.js\n");
    Write(d + "/pre.js", std::string("console.log('pre-") + name + "')\n");
    Write(d + "/main.js", std::string("const fs = require('fs');\n") + "console.log('main-" + name +
                              " ' + process.env.INPUT_MSG);\n" +
                              "fs.appendFileSync(process.env.GITHUB_OUTPUT, 'o=" + name +
                              "\\n');\n");
    Write(d + "/post.js", std::string("console.log('post-") + name + "')\n");
  }
  RunReport r = Run(R"YML(on: push
jobs:
  j:
    runs-on: x
    steps:
      - id: one
        uses: ./one
        with: {msg: hi}
      - run: echo middle
      - id: two
        uses: ./two
      - run: test "${{ steps.one.outputs.o }}-${{ steps.two.outputs.o }}" = one-two
)YML");
  EXPECT_TRUE(r.success) << log_;
  std::vector<std::string> order = {"| pre-one",    "| pre-two",  "| main-one hi", "| middle",
                                    "| main-two d", "| post-two", "| post-one"};
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    ASSERT_NE(At(order[i]), std::string::npos) << order[i] << "\n" << log_;
    EXPECT_LT(At(order[i]), At(order[i + 1])) << order[i] << " before " << order[i + 1];
  }
  ASSERT_EQ(r.jobs[0].steps.size(), 8u);
  EXPECT_EQ(r.jobs[0].steps[0].name, "Pre Run ./one");
  EXPECT_EQ(r.jobs[0].steps[7].name, "Post Run ./one");
}

TEST_F(ActionRunnerTest, PostIfFollowsTheJobsStatus) {
  Write(ws_ + "/p/action.yml",
        "runs:\n  using: node20\n  main: m.js\n  post: p.js\n  post-if: success()\n");
  Write(ws_ + "/p/m.js", "console.log('main-p')\n");
  Write(ws_ + "/p/p.js", "console.log('post-p')\n");
  RunReport r =
      Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./p\n      - run: exit "
          "1\n");
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(Logged("main-p")) << log_;
  EXPECT_FALSE(Logged("post-p")) << log_;
}

// A post step gets the inputs its main step got: evaluated once, in the composite that used it.
TEST_F(ActionRunnerTest, PostStepsOfANestedActionGetTheInputsOfTheirMainStep) {
  Write(ws_ + "/p/action.yml",
        "inputs: {msg: {}}\nruns:\n  using: node20\n  main: m.js\n  post: p.js\n");
  Write(ws_ + "/p/m.js", "console.log('main got ' + process.env.INPUT_MSG)\n");
  Write(ws_ + "/p/p.js", "console.log('post got ' + process.env.INPUT_MSG)\n");
  Write(ws_ + "/c/action.yml",
        "inputs: {who: {}}\nruns:\n  using: composite\n  steps:\n"
        "    - {uses: ./p, with: {msg: '${{ inputs.who }}'}}\n");
  RunReport r =
      Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./c\n"
          "        with: {who: \"${{ format('{0}{1}', '$', '{{ github.job }}') }}\"}\n");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(Logged("| main got ${{ github.job }}")) << log_;
  EXPECT_TRUE(Logged("| post got ${{ github.job }}")) << log_;  // not evaluated again
}

// GitHub allows 10 levels of composite nesting; the 11th fails the step, naming the chain.
TEST_F(ActionRunnerTest, CompositeNestingIsBoundedAtTenLevels) {
  for (int i = 0; i <= 10; ++i) {
    std::string next = i < 10 ? "./c" + std::to_string(i + 1) : "";
    Write(ws_ + "/c" + std::to_string(i) + "/action.yml",
          "runs:\n  using: composite\n  steps:\n" +
              (next.empty() ? std::string("    - {shell: sh, run: echo deepest}\n")
                            : "    - uses: " + next + "\n"));
  }
  RunReport r =
      Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./c1\n"
          "      - uses: ./c0\n        if: always()\n");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.jobs[0].steps[0].outcome, Outcome::kSuccess) << log_;  // 10 levels: c1 … c10
  EXPECT_EQ(r.jobs[0].steps[1].outcome, Outcome::kFailure) << log_;  // 11: c0 … c10
  EXPECT_TRUE(Logged("composite actions nested more than 10 deep (GitHub's limit): ./c0 (t.yml:7"))
      << log_;
}

TEST_F(ActionRunnerTest, RequiredInputMissingIsOnlyAWarningAsOnGitHub) {
  Write(ws_ + "/r/action.yml",
        "inputs: {need: {required: true}}\nruns:\n  using: composite\n  steps:\n"
        "    - {shell: sh, run: 'echo \"need=[${{ inputs.need }}]\"'}\n");
  RunReport r = Run("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: ./r\n");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(Logged("t.yml:6:15: input 'need' of ./r is required but not given")) << log_;
  EXPECT_TRUE(Logged("| need=[]")) << log_;
}

// On the host runtime every image is the host: what is checked is the command docker would
// run (entrypoint, args, env) and that its GITHUB_OUTPUT is read back.
TEST_F(ActionRunnerTest, DockerActionsRunTheirEntrypointWithInputs) {
  Write(ws_ + "/d/action.yml", R"YML(inputs: {who: {default: nobody}}
outputs: {o: {}}
runs:
  using: docker
  image: docker://some/image:1
  entrypoint: sh
  args: [-c, 'echo "docker-${{ inputs.who }} $INPUT_WHO $EXTRA" && echo o=d >> "$GITHUB_OUTPUT"']
  env: {EXTRA: "${{ github.job }}"}
)YML");
  RunReport r = Run(R"YML(on: push
jobs:
  j:
    runs-on: x
    steps:
      - id: d
        uses: ./d
        with: {who: kiln}
      - id: u
        uses: docker://alpine:3
        with: {entrypoint: sh, args: -c 'echo "plain docker" && echo o=u >> "$GITHUB_OUTPUT"'}
      - run: test "${{ steps.d.outputs.o }}${{ steps.u.outputs.o }}" = du
)YML");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(Logged("| docker-kiln kiln j")) << log_;
  EXPECT_TRUE(Logged("| plain docker")) << log_;
}

TEST(SplitArgsTest, BlanksAndQuotes) {
  EXPECT_EQ(SplitArgs(" -c  'echo a b' \"x y\"z \"\" "),
            (std::vector<std::string>{"-c", "echo a b", "x yz", ""}));
}

}  // namespace
}  // namespace kiln::workflow
