// Helpers for the CLI end-to-end tests: run the built kiln binary against a scratch state dir.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "testing/test_env.h"

namespace kiln::cli {

struct KilnResult {
  int code = -1;
  std::string out, err;
};

class KilnE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "kiln's sandboxes need root";
    state_ = dir_.Sub("state");
    ws_ = dir_.Sub("ws");
    ASSERT_TRUE(MakeDirs(ws_ + "/.github/workflows").ok());
  }
  KilnResult Kiln(std::vector<std::string> args, const std::string& cwd = "") {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = cwd.empty() ? ws_ : cwd;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  // Imports the Debian minbase fixture (scripts/fixtures.sh) under each name.
  void ImportDebian(const std::vector<std::string>& names) {
    std::string tar = testing::DebianRootfsTar();
    ASSERT_FALSE(tar.empty())
        << "run scripts/fixtures.sh first (it builds the Debian rootfs tarball)";
    for (const auto& n : names) {
      auto r = Kiln({"image", "import", tar, n});
      ASSERT_EQ(r.code, 0) << r.err;
    }
  }
  void Workflow(const std::string& name, const std::string& yaml) {
    ASSERT_TRUE(WriteFileAtomic(ws_ + "/.github/workflows/" + name, yaml).ok());
  }
  Json Versions(const std::string& image) {
    auto r = Kiln({"image", "ls", image, "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    auto j = ParseJson(r.out);
    return j.ok() ? *j : Json::array();
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string state_, ws_;
};

}  // namespace kiln::cli
