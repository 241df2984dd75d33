// workflow_dispatch / workflow_call inputs: parsed from `on:`, typed at run time.
#include "workflow/inputs.h"

#include <gtest/gtest.h>

#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

const char kWorkflow[] = R"(on:
  workflow_dispatch:
    inputs:
      name: {required: true}
      flag: {type: boolean, default: true}
      count: {type: number, default: "3"}
      level:
        type: choice
        options: [low, high]
        default: low
      note: {}
  workflow_call:
    inputs:
      x: {type: string, default: from-call}
    outputs:
      out: {value: "${{ jobs.a.outputs.v }}"}
jobs:
  a:
    runs-on: x
    steps: [{run: "true"}]
)";

Workflow Parse() {
  auto wf = ParseWorkflow(kWorkflow, "w.yml");
  EXPECT_TRUE(wf.ok()) << wf.status().ToString();
  return wf.ok() ? *wf : Workflow{};
}

TEST(InputsTest, ParsedFromOn) {
  Workflow wf = Parse();
  ASSERT_EQ(wf.dispatch_inputs.size(), 5u);
  EXPECT_EQ(wf.dispatch_inputs[0].name, "name");
  EXPECT_TRUE(wf.dispatch_inputs[0].required);
  EXPECT_EQ(wf.dispatch_inputs[0].pos.ToString(), "w.yml:4:13");
  EXPECT_EQ(wf.dispatch_inputs[3].options, (std::vector<std::string>{"low", "high"}));
  ASSERT_EQ(wf.call_inputs.size(), 1u);
  EXPECT_EQ(wf.call_outputs.at("out"), "${{ jobs.a.outputs.v }}");
  EXPECT_TRUE(wf.on.is_object() && wf.on.contains("workflow_call"));
  EXPECT_EQ(wf.events, (std::vector<std::string>{"workflow_dispatch", "workflow_call"}));
}

TEST(InputsTest, GivenPayloadAndDefaultsTyped) {
  Workflow wf = Parse();
  Json payload = {{"inputs", {{"name", "from-payload"}, {"count", "4.5"}}}};
  auto ctx = InputsContext(wf, "workflow_dispatch", payload, {{"flag", "false"}});
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ((*ctx)["name"], "from-payload");
  EXPECT_EQ((*ctx)["flag"], false);
  EXPECT_EQ((*ctx)["count"], 4.5);
  EXPECT_EQ((*ctx)["level"], "low");
  EXPECT_EQ((*ctx)["note"], "");
  auto given = InputsContext(wf, "workflow_dispatch", payload, {{"name", "cli"}, {"count", "7"}});
  ASSERT_TRUE(given.ok());
  EXPECT_EQ((*given)["name"], "cli");  // --input wins over the payload
  EXPECT_EQ((*given)["count"], 7);
  EXPECT_EQ((*given)["flag"], true);
  auto call = InputsContext(wf, "workflow_call", Json::object(), {});
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(*call, (Json{{"x", "from-call"}}));
  auto push = InputsContext(wf, "push", payload, {{"name", "x"}});
  ASSERT_TRUE(push.ok());
  EXPECT_EQ(*push, Json::object());
}

TEST(InputsTest, ErrorsNameTheInputAndWhere) {
  Workflow wf = Parse();
  auto missing = InputsContext(wf, "workflow_dispatch", Json::object(), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("w.yml:4:13: input name is required"),
            std::string::npos)
      << missing.status().message();
  auto boolean = InputsContext(wf, "workflow_dispatch", {}, {{"name", "n"}, {"flag", "yes"}});
  ASSERT_FALSE(boolean.ok());
  EXPECT_NE(boolean.status().message().find("input flag is a boolean"), std::string::npos);
  auto number = InputsContext(wf, "workflow_dispatch", {}, {{"name", "n"}, {"count", "many"}});
  ASSERT_FALSE(number.ok());
  EXPECT_NE(number.status().message().find("input count is a number"), std::string::npos);
  auto choice = InputsContext(wf, "workflow_dispatch", {}, {{"name", "n"}, {"level", "mid"}});
  ASSERT_FALSE(choice.ok());
  EXPECT_NE(choice.status().message().find("is one of low, high, not \"mid\""), std::string::npos);
}

TEST(InputsTest, BadDeclarationsAreParseErrors) {
  auto bad_type = ParseWorkflow(
      "on:\n  workflow_dispatch:\n    inputs:\n      a: {type: text}\n"
      "jobs: {j: {runs-on: x, steps: [{run: 'true'}]}}\n",
      "b.yml");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("b.yml:4:"), std::string::npos);
  EXPECT_NE(bad_type.status().message().find("type \"text\""), std::string::npos);
  auto no_options = ParseWorkflow(
      "on:\n  workflow_dispatch:\n    inputs:\n      a: {type: choice}\n"
      "jobs: {j: {runs-on: x, steps: [{run: 'true'}]}}\n",
      "c.yml");
  ASSERT_FALSE(no_options.ok());
  EXPECT_NE(no_options.status().message().find("give its `options:`"), std::string::npos);
  auto call_choice = ParseWorkflow(
      "on:\n  workflow_call:\n    inputs:\n      a: {type: choice, options: [x]}\n"
      "jobs: {j: {runs-on: x, steps: [{run: 'true'}]}}\n",
      "d.yml");
  EXPECT_FALSE(call_choice.ok());
}

}  // namespace
}  // namespace kiln::workflow
