#include <gtest/gtest.h>

#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

std::string ErrorOf(const std::string& yaml) {
  auto w = ParseWorkflow(yaml, "ci.yml");
  EXPECT_FALSE(w.ok()) << yaml;
  return w.ok() ? "" : w.status().message();
}

std::string JobWith(const std::string& body) {
  return "on: push\njobs:\n  a:\n    runs-on: x\n" + body + "    steps: [{run: 'true'}]\n";
}

TEST(ParseContainerTest, ReadsEveryKeyOfContainer) {
  auto w = ParseWorkflow(JobWith(R"(    container:
      image: node:20
      env: {A: "1"}
      ports: ["8080:80", 5432]
      volumes: [cache:/cache, "/src:/src:ro"]
      options: --user 1000 --hostname build -e X=y --cpus 1
      credentials: {username: me, password: "${{ secrets.PW }}"}
)"),
                         "ci.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const Container& k = *w->jobs[0].container;
  EXPECT_EQ(k.pos.line, 6);
  EXPECT_EQ(k.image, "node:20");
  EXPECT_EQ(k.env, (EnvMap{{"A", "1"}}));
  EXPECT_EQ(k.ports, (std::vector<std::string>{"8080:80", "5432"}));
  EXPECT_EQ(k.volumes, (std::vector<std::string>{"cache:/cache", "/src:/src:ro"}));
  EXPECT_EQ(k.options, "--user 1000 --hostname build -e X=y --cpus 1");
  EXPECT_EQ(k.username, "me");
  EXPECT_EQ(k.password, "${{ secrets.PW }}");
}

TEST(ParseContainerTest, ReadsServicesAsMapsOrImages) {
  auto w = ParseWorkflow(JobWith(R"(    services:
      db:
        image: postgres:16
        env: {POSTGRES_PASSWORD: pw}
        ports: [5432]
        options: --health-cmd "pg_isready" --health-interval 1s --health-retries 5
      cache: redis:7
)"),
                         "ci.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto& s = w->jobs[0].services;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.at("db").image, "postgres:16");
  EXPECT_EQ(s.at("db").ports, std::vector<std::string>{"5432"});
  EXPECT_EQ(s.at("db").pos.line, 7);
  EXPECT_EQ(s.at("cache").image, "redis:7");
}

TEST(ParseContainerTest, AnOptionKilnCannotHonourIsRefusedWithItsPlace) {
  std::string e =
      ErrorOf(JobWith("    container:\n      image: debian\n"
                      "      options: --hostname h --privileged\n"));
  EXPECT_EQ(e.rfind("ci.yml:7:16: container: options: ", 0), 0u) << e;
  EXPECT_NE(e.find("--privileged"), std::string::npos) << e;
  e = ErrorOf(
      JobWith("    services:\n      db:\n        image: pg\n        options: --gpus all\n"));
  EXPECT_EQ(e.rfind("ci.yml:8:18: services.db: options: ", 0), 0u) << e;
  EXPECT_NE(e.find("--gpus"), std::string::npos) << e;
}

TEST(ParseContainerTest, OptionsWithExpressionsWaitForTheRun) {
  auto w = ParseWorkflow(
      JobWith("    container:\n      image: debian\n      options: ${{ matrix.opts }}\n"),
      "ci.yml");
  EXPECT_TRUE(w.ok()) << w.status().ToString();
}

TEST(ParseContainerTest, BadVolumesPortsAndKeysAreRefused) {
  EXPECT_EQ(ErrorOf(JobWith("    container:\n      image: debian\n      volumes: [/src]\n")),
            "ci.yml:7:16: container: volume \"/src\": expected SOURCE:CONTAINER_PATH[:ro]");
  EXPECT_EQ(ErrorOf(JobWith("    container:\n      image: debian\n      volumes: [a:/b:z]\n")),
            "ci.yml:7:16: container: volume \"a:/b:z\": mode \"z\" is not supported (ro or rw)");
  std::string e = ErrorOf(JobWith("    container:\n      image: debian\n      ports: [http]\n"));
  EXPECT_EQ(e.rfind("ci.yml:7:14: container: port \"http\"", 0), 0u) << e;
  EXPECT_EQ(ErrorOf(JobWith("    container: {imag: debian}\n")),
            "ci.yml:5:17: unknown key \"imag\" in container");
  EXPECT_EQ(ErrorOf(JobWith("    services: {db: {image: pg, credentials: {user: x}}}\n")),
            "ci.yml:5:46: unknown key \"user\" in services.db.credentials");
  e = ErrorOf(JobWith("    services: {9db: pg}\n"));
  EXPECT_EQ(e.rfind("ci.yml:5:16: invalid service name \"9db\"", 0), 0u) << e;
}

}  // namespace
}  // namespace kiln::workflow
