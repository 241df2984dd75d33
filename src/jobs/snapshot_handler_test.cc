// The kiln-snapshot handler's checks, which come before any sandbox is touched.
#include "jobs/snapshot_handler.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

TEST(SnapshotHandlerTest, ABadNameOrVersionIsRefusedBeforeAnyCapture) {
  testing::ScratchDir dir;
  EngineOptions o;
  o.state_dir = dir.Sub("state");
  Engine engine(std::move(o));
  std::vector<std::string> logged;
  auto handler =
      SnapshotHandler(engine, "kiln-none", [&](const std::string& l) { logged.push_back(l); });
  for (const char* name : {"../../etc", "/etc/passwd", "UPPER", "a b", "x:1.0.0"}) {
    auto r = handler({name, ""});
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << name;
  }
  for (const char* version : {"2", "latest", "2.*.*", "-1.*", "x"}) {
    auto r = handler({"tools", version});
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << version;
    EXPECT_NE(r.status().message().find("<major>.*"), std::string::npos) << r.status().message();
  }
  EXPECT_TRUE(logged.empty());
  EXPECT_FALSE(PathExists(dir.Sub("state/kiln.db")));
}

}  // namespace
}  // namespace kiln::jobs
