#include "workflow/image_hint.h"

#include <gtest/gtest.h>

namespace kiln::workflow {
namespace {

TEST(ImageHintTest, AMissingImageSaysHowToGetOne) {
  Status s = WithImageHint(NotFound("no image named node:20 (see kiln images)"));
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "no image named node:20 (see kiln images); map it with -P node:20=IMAGE (an image you "
            "have: kiln image ls), import one (kiln image import), or pull it from a registry "
            "(kiln pull)");
  s = WithImageHint(NotFound("no image named node:20").WithContext("service db"));
  EXPECT_NE(s.message().find("-P node:20=IMAGE"), std::string::npos) << s.message();
}

TEST(ImageHintTest, OtherErrorsAreKept) {
  EXPECT_TRUE(WithImageHint(Status::Ok()).ok());
  Status other = NotFound("no such file");
  EXPECT_EQ(WithImageHint(other).message(), "no such file");
  EXPECT_EQ(WithImageHint(InvalidArgument("no image named x")).message(), "no image named x");
}

}  // namespace
}  // namespace kiln::workflow
