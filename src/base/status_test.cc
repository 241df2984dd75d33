#include "base/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace kiln {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, ContextChainsOutward) {
  Status s = NotFound("blob sha256:ab").WithContext("pull ci:1.0.0");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "pull ci:1.0.0: blob sha256:ab");
  EXPECT_EQ(s.ToString(), "NotFound: pull ci:1.0.0: blob sha256:ab");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
}

TEST(StatusTest, ErrnoMapping) {
  EXPECT_EQ(ErrnoStatus("open x", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus("open x", EEXIST).code(), Code::kAlreadyExists);
  EXPECT_EQ(ErrnoStatus("open x", EACCES).code(), Code::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus("open x", EIO).code(), Code::kInternal);
}

}  // namespace
}  // namespace kiln
