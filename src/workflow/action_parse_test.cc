// action.yml parsing: each kind of action, and errors at the action file's FILE:LINE:COLUMN.
#include <gtest/gtest.h>

#include "workflow/action_model.h"

namespace kiln::workflow {
namespace {

std::string ErrorOf(const std::string& yaml) {
  auto a = ParseAction(yaml, "act/action.yml");
  return a.ok() ? "" : a.status().message();
}

TEST(ActionParseTest, Composite) {
  auto a = ParseAction(R"(name: greet
inputs:
  who: {description: whom, required: true}
  greeting: {default: "${{ github.actor }} says hi"}
outputs:
  said: {value: "${{ steps.s.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: s
      run: echo "said=hi" >> "$GITHUB_OUTPUT"
      shell: bash
      env: {A: b}
      working-directory: sub
    - uses: ./other
      with: {x: "1"}
      if: failure()
)",
                       "a.yml");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->kind, ActionKind::kComposite);
  ASSERT_EQ(a->inputs.size(), 2u);
  EXPECT_EQ(a->inputs[0].name, "who");
  EXPECT_TRUE(a->inputs[0].required);
  EXPECT_FALSE(a->inputs[0].default_value.has_value());
  EXPECT_EQ(*a->inputs[1].default_value, "${{ github.actor }} says hi");
  EXPECT_EQ(a->outputs[0].value, "${{ steps.s.outputs.said }}");
  ASSERT_EQ(a->steps.size(), 2u);
  EXPECT_EQ(a->steps[0].id, "s");
  EXPECT_EQ(a->steps[0].shell, "bash");
  EXPECT_EQ(a->steps[0].working_directory, "sub");
  EXPECT_EQ(a->steps[1].uses, "./other");
  EXPECT_EQ(a->steps[1].with.at("x"), "1");
  EXPECT_EQ(a->steps[1].if_expr, "failure()");
  EXPECT_EQ(a->steps[1].uses_pos.ToString(), "a.yml:15:13");
}

TEST(ActionParseTest, DockerAndNode) {
  auto d = ParseAction(
      "runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: /e.sh\n  args: [a, "
      "'${{ inputs.x }}']\n  env: {K: v}\n  post-entrypoint: /p.sh\n",
      "d.yml");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, ActionKind::kDocker);
  EXPECT_EQ(d->image, "Dockerfile");
  EXPECT_EQ(d->args, (std::vector<std::string>{"a", "${{ inputs.x }}"}));
  EXPECT_EQ(d->post_entrypoint, "/p.sh");
  auto n = ParseAction(
      "runs:\n  using: node20\n  main: dist/index.js\n  pre: pre.js\n  post: post.js\n  "
      "post-if: success()\n",
      "n.yml");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->kind, ActionKind::kNode);
  EXPECT_EQ(n->main, "dist/index.js");
  EXPECT_EQ(n->pre_if, "always()");
  EXPECT_EQ(n->post_if, "success()");
}

// actions/checkout@v5 and setup-node@v5 use node24; many marketplace actions give their inputs
// keys GitHub's runner ignores (type:, options:).
TEST(ActionParseTest, AcceptsNewerNodeAndUnknownInputKeys) {
  auto a = ParseAction(
      "inputs:\n  v: {description: d, type: string, required: 'false', options: [a, b]}\n"
      "outputs:\n  o: {description: d, type: string}\nruns:\n  using: node24\n  main: m.js\n",
      "a.yml");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->kind, ActionKind::kNode);
  EXPECT_EQ(a->using_, "node24");
  ASSERT_EQ(a->inputs.size(), 1u);
  EXPECT_FALSE(a->inputs[0].required);
  for (const char* bad : {"node", "node1", "node24x", "nodeXY"})
    EXPECT_FALSE(ParseAction(std::string("runs: {using: ") + bad + ", main: m.js}\n", "b.yml").ok())
        << bad;
}

TEST(ActionParseTest, ErrorsNameTheActionFile) {
  EXPECT_EQ(ErrorOf("name: x\n"), "act/action.yml:1:1: the action has no `runs`");
  EXPECT_EQ(ErrorOf("runs:\n  using: node8\n  main: a.js\n"),
            "act/action.yml:2:10: runs.using \"node8\" is not one kiln runs (composite, docker, "
            "or nodeNN with NN ≥ 12: node20, node24, …)");
  EXPECT_EQ(ErrorOf("runs:\n  using: composite\n  steps:\n    - run: echo hi\n"),
            "act/action.yml:4:7: a `run` step of a composite action needs `shell` (e.g. shell: "
            "bash), as on GitHub");
  EXPECT_EQ(ErrorOf("runs:\n  using: node20\n"),
            "act/action.yml:2:3: a node20 action needs `main` (its script)");
  EXPECT_EQ(ErrorOf("runs:\n  using: composite\n  steps:\n    - uses: nope\n"),
            "act/action.yml:4:13: `uses: nope` is not an action reference: use ./PATH (an action "
            "in the repository), OWNER/REPO[/PATH]@REF or docker://IMAGE");
  EXPECT_EQ(ErrorOf("outputs:\n  o: {description: d}\nruns:\n  using: composite\n  steps: []\n"),
            "act/action.yml:2:6: output o of a composite action needs `value`");
  EXPECT_EQ(ErrorOf("runs: {using: docker}\n"),
            "act/action.yml:1:7: a docker action needs `image` (Dockerfile or docker://IMAGE)");
  EXPECT_EQ(ErrorOf("runs: [x\n").rfind("act/action.yml:", 0), 0u);
}

}  // namespace
}  // namespace kiln::workflow
