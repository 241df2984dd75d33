// Repository names that would escape or confuse a store (issue 7, item 8).
#include <gtest/gtest.h>

#include "oci/reference.h"

namespace kiln::oci {
namespace {

TEST(SecurityRepositoryName, RefusesPathsAndWhatTheGrammarRefuses) {
  for (const char* bad : {"", "../../etc", "/etc/passwd", "..", ".", "a/..", "a/./b", "a//b", "a/",
                          "A", "a b", "a:b", "a@b", "-a", "a-", "a..b", "a___b", "a\nb", "a\xff"}) {
    EXPECT_FALSE(ValidateRepositoryName(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateRepositoryName(std::string(256, 'a')).ok());
  for (const char* good : {"a", "tools", "ci/tools", "a.b", "a_b", "a__b", "a---b", "x9/y-z/w.v"}) {
    EXPECT_TRUE(ValidateRepositoryName(good).ok()) << good;
  }
}

}  // namespace
}  // namespace kiln::oci
