#include "hooks/input.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::hooks {
namespace {

std::string Sample(const std::string& name) {
  auto text = ReadFile(testing::SourceDir() + "/../shared/external/runner-container-hooks/" + name);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

// The reference's samples are pretty-printed; the runner writes one line. Both shapes parse.
std::string OneLine(const std::string& text) { return DumpJson(*ParseJson(text)); }

TEST(ParseInput, ReferenceSamples) {
  auto prepare = ParseInput(OneLine(Sample("prepare-job.json")));
  ASSERT_TRUE(prepare.ok()) << prepare.status().ToString();
  EXPECT_EQ(prepare->command, Command::kPrepareJob);
  EXPECT_EQ(prepare->response_file, "/users/thboop/runner/_work/{guid}.json");
  auto args = ParsePrepareJobArgs(prepare->args);
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  ASSERT_TRUE(args->container);
  EXPECT_EQ(args->container->image, "node:22");
  EXPECT_EQ(args->container->create_options, "--cpus 1");
  EXPECT_EQ(args->container->env.at("NODE_ENV"), "development");
  ASSERT_EQ(args->container->user_mounts.size(), 1u);
  EXPECT_EQ(args->container->user_mounts[0].source, "my_docker_volume");
  ASSERT_EQ(args->container->system_mounts.size(), 8u);
  EXPECT_TRUE(args->container->system_mounts[2].read_only);  // externals
  ASSERT_TRUE(args->container->registry);
  EXPECT_EQ(args->container->registry->password, "bar");
  EXPECT_EQ(args->container->port_mappings, std::vector<std::string>{"80:8080"});
  ASSERT_EQ(args->services.size(), 1u);
  EXPECT_EQ(args->services[0].context_name, "redis");
  EXPECT_FALSE(args->services[0].entry_point);  // "entrypoint": null
  EXPECT_EQ(args->services[0].port_mappings.size(), 2u);

  auto script = ParseInput(OneLine(Sample("run-script-step.json")));
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_EQ(script->command, Command::kRunScriptStep);
  auto s = ParseScriptStepArgs(script->args);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->entry_point, "bash");
  EXPECT_EQ(s->entry_point_args, (std::vector<std::string>{"-e", "example-script.sh"}));
  EXPECT_EQ(s->prepend_path, (std::vector<std::string>{"/foo/bar", "bar/foo"}));
  EXPECT_EQ(s->working_directory, "/__w/repo/repo");

  auto step = ParseInput(OneLine(Sample("run-container-step.json")));
  ASSERT_TRUE(step.ok());
  auto c = ParseContainerStepArgs(step->args);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->image, "node:22");
  EXPECT_EQ(c->dockerfile, "");
  EXPECT_FALSE(c->registry);
  EXPECT_EQ(c->system_mounts.size(), 7u);
}

TEST(ParseInput, PrettyPrintedDocumentParsesWhole) {
  auto raw = ParseInput(Sample("prepare-job.json"));  // multi-line, as in the reference
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->command, Command::kPrepareJob);
  EXPECT_EQ(raw->response_file, "/users/thboop/runner/_work/{guid}.json");
  auto args = ParsePrepareJobArgs(raw->args);
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  EXPECT_EQ(args->services.size(), 1u);
  // A last line that is an object still wins over earlier lines.
  auto last = ParseInput("{\"command\":\n\"nope\"}\n{\"command\":\"cleanup_job\"}\n");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->command, Command::kCleanupJob);
}

TEST(ParseInput, LastNonBlankLineCounts) {
  auto in = ParseInput("{\"command\":\"nope\"}\n{\"command\":\"cleanup_job\"}\n\n  \n");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->command, Command::kCleanupJob);
}

TEST(ParseInput, BadInputNamesTheProblem) {
  struct Case {
    std::string input, named;
  };
  for (const Case& c : std::vector<Case>{
           {"", "no input"},
           {"\n \n", "no input"},
           {"{\"command\": ", "hook input"},
           {"[1]", "not a JSON object"},
           {"{}", "missing field command"},
           {"{\"command\": 7}", "command is not a string"},
           {"{\"command\": \"start_job\"}", "unknown command 'start_job'"},
           {"{\"command\": \"prepare_job\", \"args\": {}}", "missing field responseFile"},
           {"{\"command\": \"run_script_step\"}", "missing field args"},
           {"{\"command\": \"cleanup_job\", \"state\": []}", "state is not an object"}}) {
    auto in = ParseInput(c.input);
    ASSERT_FALSE(in.ok()) << c.input;
    EXPECT_EQ(in.status().code(), Code::kInvalidArgument);
    EXPECT_NE(in.status().message().find(c.named), std::string::npos) << in.status().message();
  }
}

TEST(ParseArgs, BadArgsNameTheField) {
  auto prepare = [](const char* args) { return ParsePrepareJobArgs(*ParseJson(args)).status(); };
  EXPECT_NE(prepare(R"({"container": {}})").message().find("args.container: missing field image"),
            std::string::npos);
  EXPECT_NE(prepare(R"({"services": [{"image": "redis"}]})").message().find("contextName"),
            std::string::npos);
  EXPECT_NE(
      prepare(R"({"container": {"image": "a", "userMountVolumes": [{"sourceVolumePath": "x"}]}})")
          .message()
          .find("targetVolumePath"),
      std::string::npos);
  Status env = prepare(R"({"container": {"image": "a", "environmentVariables": {"K": 5}}})");
  EXPECT_NE(env.message().find("environmentVariables.K"), std::string::npos);
  auto script = ParseScriptStepArgs(*ParseJson(R"({"entryPointArgs": []})"));
  EXPECT_NE(script.status().message().find("entryPoint"), std::string::npos);
  auto step = ParseContainerStepArgs(*ParseJson(R"({"image": null, "dockerfile": null})"));
  EXPECT_NE(step.status().message().find("image or dockerfile"), std::string::npos);
}

TEST(ParseArgs, SecretsNeverInErrors) {
  auto a = ParsePrepareJobArgs(*ParseJson(
      R"({"container": {"image": "a", "registry": {"password": "hunter2", "serverUrl": 5}}})"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace kiln::hooks
