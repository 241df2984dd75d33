#include "content/image_location.h"

#include <gtest/gtest.h>

namespace kiln::content {
namespace {

using Kind = ImageLocation::Kind;

TEST(ImageLocation, ParsesSkopeosFormsAndPlainPaths) {
  struct Case {
    std::string text;
    ImageLocation want;
  };
  const Case cases[] = {
      {"oci:/tmp/l", {Kind::kLayout, "/tmp/l", ""}},
      {"oci:/tmp/l:v1", {Kind::kLayout, "/tmp/l", "v1"}},
      {"oci:rel/dir:127.0.0.1:5000/team/tool:1.0",
       {Kind::kLayout, "rel/dir", "127.0.0.1:5000/team/tool:1.0"}},
      {"oci-archive:/tmp/a.tar", {Kind::kArchive, "/tmp/a.tar", ""}},
      {"oci-archive:/tmp/a.tar:latest", {Kind::kArchive, "/tmp/a.tar", "latest"}},
      {"/tmp/plain", {Kind::kPath, "/tmp/plain", ""}},
      {"plain.tar", {Kind::kPath, "plain.tar", ""}},
      {"./odd:name", {Kind::kPath, "./odd:name", ""}},
      {"ocidir", {Kind::kPath, "ocidir", ""}},
  };
  for (const auto& c : cases) {
    auto loc = ParseImageLocation(c.text);
    ASSERT_TRUE(loc.ok()) << c.text << ": " << loc.status().ToString();
    EXPECT_EQ(*loc, c.want) << c.text;
    EXPECT_EQ(ToString(*loc), c.text);
  }
}

TEST(ImageLocation, RefusesEmptyPartsAndOtherTransports) {
  for (const char* bad : {"", "oci:", "oci::ref", "oci:/d:", "oci-archive:", "oci-archive::x"}) {
    auto loc = ParseImageLocation(bad);
    EXPECT_EQ(loc.status().code(), Code::kInvalidArgument) << bad;
  }
  for (const char* other :
       {"docker://busybox", "docker-archive:/tmp/a.tar", "containers-storage:alpine", "dir:/x"}) {
    auto loc = ParseImageLocation(other);
    ASSERT_FALSE(loc.ok()) << other;
    EXPECT_NE(loc.status().message().find("only oci:DIR[:REF], oci-archive:FILE[:REF]"),
              std::string::npos)
        << loc.status().message();
  }
}

}  // namespace
}  // namespace kiln::content
