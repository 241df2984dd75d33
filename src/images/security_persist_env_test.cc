// persist-env's filter: what a snapshot may write into an image's Env. A leak here puts a secret
// into every image made from the job, and every registry it is pushed to.
#include <gtest/gtest.h>

#include <algorithm>

#include "images/persist_env.h"

namespace kiln::images {
namespace {

bool Has(const std::vector<std::string>& env, const std::string& kv) {
  return std::find(env.begin(), env.end(), kv) != env.end();
}
bool HasName(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}

TEST(SecurityPersistEnv, KeepsAddedAndChangedVariablesInBaseOrder) {
  auto out = PersistableEnv({"PATH=/bin", "LANG=C"},
                            {"LANG=C.UTF-8", "PATH=/opt/x:/bin", "TOOLS=/opt"}, {}, {});
  EXPECT_EQ(out, (std::vector<std::string>{"PATH=/opt/x:/bin", "LANG=C.UTF-8", "TOOLS=/opt"}));
}

TEST(SecurityPersistEnv, LeavesOutKilnsOwnVariables) {
  auto out = PersistableEnv(
      {},
      {"GITHUB_TOKEN_X=1", "GITHUB_SHA=abc", "RUNNER_TEMP=/t", "CI=true", "HOME=/github/home",
       "ImageOS=kiln", "ACTIONS_ALLOW_UNSECURE_COMMANDS=true", "KEEP=1"},
      {}, {});
  EXPECT_EQ(out, (std::vector<std::string>{"KEEP=1"}));
}

TEST(SecurityPersistEnv, LeavesOutSecretNamesAndNamesThatLookSecret) {
  std::vector<std::string> left;
  auto out =
      PersistableEnv({},
                     {"DEPLOY=1", "MY_SECRET_THING=x", "api_token=y", "DbPassword=z", "SSH_KEY=k",
                      "AWS_CREDENTIALS=c", "PRIVATE_URL=p", "AUTH_HEADER=a", "PASSWD=q", "OK=1"},
                     {"DEPLOY"}, {}, &left);
  EXPECT_EQ(out, (std::vector<std::string>{"OK=1"}));
  EXPECT_EQ(left.size(), 9u);
  EXPECT_TRUE(Has(left, "DEPLOY"));
  EXPECT_TRUE(Has(left, "api_token"));
}

TEST(SecurityPersistEnv, LeavesOutValuesHoldingASecretOrMaskAnywhere) {
  std::vector<std::string> left;
  auto out = PersistableEnv({"URL=https://example"},
                            {"URL=https://user:hunter2@example", "NOTE=the line two of it",
                             "FINE=hunter", "X=masked-value"},
                            {}, {"hunter2", "line two", "masked-value"}, &left);
  EXPECT_EQ(out, (std::vector<std::string>{"URL=https://example", "FINE=hunter"}));
  EXPECT_EQ(left, (std::vector<std::string>{"URL", "NOTE", "X"}));
  for (const auto& e : out) {
    EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  }
}

TEST(SecurityPersistEnv, EmptyMaskMatchesNothingAndMalformedEntriesAreIgnored) {
  auto out = PersistableEnv({}, {"A=1", "NOEQUALS"}, {}, {""});
  EXPECT_TRUE(Has(out, "A=1"));
  EXPECT_FALSE(HasName(out, "NOEQUALS"));
}

TEST(SecurityPersistEnv, LeavesOutValuesHoldingASecret) {
  std::vector<std::string> left;
  auto env = PersistableEnv({"PATH=/bin"},
                            {"DEPLOY_CREDS=tok123", "DB_URL=postgres://app:pw9@db", "LANG=C",
                             "GITHUB_SHA=0", "API_TOKEN=x", "PATH=/opt/bin:/bin"},
                            {"API_TOKEN"}, {"tok123", "pw9"}, &left);
  std::vector<std::string> want_env = {"PATH=/opt/bin:/bin", "LANG=C"};
  std::vector<std::string> want_left = {"DEPLOY_CREDS", "DB_URL", "API_TOKEN"};
  EXPECT_EQ(env, want_env);
  EXPECT_EQ(left, want_left);
}

TEST(SecurityPersistEnv, LooksSecretIgnoresCase) {
  EXPECT_TRUE(LooksSecret("github_pat_Token"));
  EXPECT_TRUE(LooksSecret("Key"));
  EXPECT_FALSE(LooksSecret("PATH"));
  EXPECT_TRUE(LooksSecret("MONKEY_BUSINESS"));  // contains KEY: a false positive, on the safe side
}

}  // namespace
}  // namespace kiln::images
