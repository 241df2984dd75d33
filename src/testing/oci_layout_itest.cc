// WriteOciLayout's images are read by skopeo and copied into a RegistryServer.
#include <gtest/gtest.h>

#include "base/json.h"
#include "base/subprocess.h"
#include "testing/oci_layout.h"
#include "testing/registry_server.h"

namespace kiln::testing {
namespace {

TEST(OciLayoutTest, SkopeoReadsTheLayoutAndCopiesItIntoARegistry) {
  ScratchDir dir;
  std::string layout = dir.Sub("layout");
  auto digest = WriteOciLayout(layout, "v1", {BusyboxLayer(), RandomLayer("data", 2, 1000, 7)});
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(RandomLayer("data", 2, 1000, 7), RandomLayer("data", 2, 1000, 7));
  EXPECT_NE(RandomLayer("data", 2, 1000, 7), RandomLayer("data", 2, 1000, 8));
  auto raw = RunProcess({"skopeo", "inspect", "--raw", "oci:" + layout + ":v1"});
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->exit_code, 0) << raw->err;
  auto manifest = ParseJson(raw->out);
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ((*manifest)["layers"].size(), 2u);

  auto reg = RegistryServer::Start();
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  std::string dest = "docker://" + (*reg)->host() + "/t/layout:v1";
  auto copy = RunProcess(
      {"skopeo", "copy", "-q", "--dest-tls-verify=false", "oci:" + layout + ":v1", dest});
  ASSERT_TRUE(copy.ok());
  ASSERT_EQ(copy->exit_code, 0) << copy->err;
  auto inspect = RunProcess({"skopeo", "inspect", "--tls-verify=false", dest});
  ASSERT_TRUE(inspect.ok());
  ASSERT_EQ(inspect->exit_code, 0) << inspect->err;
  auto info = ParseJson(inspect->out);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)["Layers"].size(), 2u);
  EXPECT_EQ((*info)["Os"], "linux");
}

}  // namespace
}  // namespace kiln::testing
