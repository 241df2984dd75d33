// FindKilnInit: the setting, then KILN_INIT, then beside the binary, then the install's libexec.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "base/fs.h"
#include "runtime/sandbox.h"
#include "testing/test_env.h"

namespace kiln::runtime {
namespace {

class FindKilnInitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("KILN_INIT");
    if (env != nullptr) saved_ = env;
    ::unsetenv("KILN_INIT");
    bin_ = dir_.Sub("prefix/bin");
    ASSERT_TRUE(MakeDirs(bin_).ok());
  }
  void TearDown() override {
    if (saved_)
      ::setenv("KILN_INIT", saved_->c_str(), 1);
    else
      ::unsetenv("KILN_INIT");
  }
  std::string Make(const std::string& rel, int mode = 0755) {
    std::string path = dir_.Sub(rel);
    EXPECT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    EXPECT_TRUE(WriteFileAtomic(path, "#!/bin/true\n", mode).ok());
    return path;
  }
  testing::ScratchDir dir_;
  std::string bin_;
  std::optional<std::string> saved_;
};

TEST_F(FindKilnInitTest, TheInstallsLibexecWhenNothingIsBesideTheBinary) {
  std::string installed = Make("prefix/libexec/kiln/kiln-init");
  auto found = FindKilnInit("", bin_);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, bin_ + "/../libexec/kiln/kiln-init");
  EXPECT_TRUE(PathExists(*found));
}

TEST_F(FindKilnInitTest, BesideTheBinaryComesBeforeLibexec) {
  Make("prefix/libexec/kiln/kiln-init");
  std::string beside = Make("prefix/bin/kiln-init");
  EXPECT_EQ(*FindKilnInit("", bin_), beside);
}

TEST_F(FindKilnInitTest, TheSettingThenTheEnvironmentComeFirst) {
  Make("prefix/bin/kiln-init");
  std::string configured = Make("elsewhere/init-a");
  std::string from_env = Make("elsewhere/init-b");
  ::setenv("KILN_INIT", from_env.c_str(), 1);
  EXPECT_EQ(*FindKilnInit(configured, bin_), configured);
  EXPECT_EQ(*FindKilnInit("", bin_), from_env);
}

// A setting that is wrong is an error, never a silent fallback to another kiln-init.
TEST_F(FindKilnInitTest, AWrongSettingIsAnErrorNamingIt) {
  Make("prefix/bin/kiln-init");
  Make("elsewhere/not-executable", 0644);
  for (const std::string& bad :
       {dir_.Sub("nope"), dir_.Sub("elsewhere/not-executable"), dir_.Sub("elsewhere")}) {
    auto r = FindKilnInit(bad, bin_);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(r.status().message().find("init_path is " + bad), std::string::npos)
        << r.status().message();
    ::setenv("KILN_INIT", bad.c_str(), 1);
    r = FindKilnInit("", bin_);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("KILN_INIT is " + bad), std::string::npos)
        << r.status().message();
    ::unsetenv("KILN_INIT");
  }
}

TEST_F(FindKilnInitTest, NoneFoundNamesEveryPlaceAndBothSettings) {
  auto r = FindKilnInit("", bin_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  const std::string& m = r.status().message();
  for (const std::string& part : {bin_ + "/kiln-init", bin_ + "/../libexec/kiln/kiln-init",
                                  std::string("init_path"), std::string("KILN_INIT")}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " not in: " << m;
  }
}

}  // namespace
}  // namespace kiln::runtime
