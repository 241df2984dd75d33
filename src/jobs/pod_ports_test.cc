#include <gtest/gtest.h>

#include "jobs/pod.h"

namespace kiln::jobs {
namespace {

oci::ImageConfig WithRaw(const std::string& raw) {
  oci::ImageConfig c;
  c.raw = raw;
  return c;
}

TEST(FirstExposedTcpPort, LowestTcpPortOfTheConfig) {
  EXPECT_EQ(FirstExposedTcpPort(WithRaw(
                R"({"config":{"ExposedPorts":{"9000/tcp":{},"53/udp":{},"8080/tcp":{}}}})")),
            8080);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw(R"({"config":{"ExposedPorts":{"6379":{}}}})")), 6379);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw(R"({"config":{"ExposedPorts":{"53/udp":{}}}})")), 0);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw(R"({"config":{"ExposedPorts":{"x/tcp":{}}}})")), 0);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw(R"({"config":{}})")), 0);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw("")), 0);
  EXPECT_EQ(FirstExposedTcpPort(WithRaw("not json")), 0);
}

}  // namespace
}  // namespace kiln::jobs
