// GetBlob reads no more than the descriptor's size, whatever the registry sends: a size of 0
// bounds the body as well as any other (a manifest cannot make a pull stream without end).
#include <gtest/gtest.h>

#include "registry/client.h"
#include "registry/fake_registry.h"

namespace kiln::registry {
namespace {

class BlobBoundsTest : public ::testing::Test {
 protected:
  FakeRegistry fake_;
  Client client_{fake_.host(), {&fake_, nullptr, {}, {1, 0, 0, [](double) {}}, {}}};
};

Status Get(Client& client, const oci::Digest& d, int64_t size, int64_t* received) {
  return client.GetBlob("team/x", {"x", d, size, {}, std::nullopt}, [&](std::string_view c) {
    *received += static_cast<int64_t>(c.size());
    return Status::Ok();
  });
}

TEST_F(BlobBoundsTest, ABodyLongerThanADeclaredSizeOfZeroIsDataLoss) {
  oci::Digest d = fake_.AddBlob("team/x", std::string(100 * 1000, 'x'));
  int64_t received = 0;
  Status s = Get(client_, d, 0, &received);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_EQ(received, 0);
}

TEST_F(BlobBoundsTest, ABodyLongerThanTheDeclaredSizeStopsAtTheSize) {
  oci::Digest d = fake_.AddBlob("team/x", std::string(100 * 1000, 'x'));
  int64_t received = 0;
  Status s = Get(client_, d, 10, &received);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_LE(received, 10);
}

TEST_F(BlobBoundsTest, AnEmptyBlobOfSizeZeroIsRead) {
  oci::Digest d = fake_.AddBlob("team/x", "");
  int64_t received = 0;
  Status s = Get(client_, d, 0, &received);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(received, 0);
}

}  // namespace
}  // namespace kiln::registry
