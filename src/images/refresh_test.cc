// The resolver's registry step on the fake registry: pull when missing, one HEAD when present by
// tag, pull again when the tag moved, the local copy when the registry is down.
#include "images/refresh.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "images/registry_test_util.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::images {
namespace {

constexpr const char* kRef = "registry.test/team/tool:1.0";

class RefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = content::ImageStore::Open(dir_.Sub("oci"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto layers = snapshot::LayerCache::Open(dir_.Sub("layers"), &store_->blobs());
    ASSERT_TRUE(layers.ok());
    layers_ = std::make_unique<snapshot::LayerCache>(std::move(*layers));
    access_.client_for = [this](const std::string& host) -> Result<registry::Client*> {
      EXPECT_EQ(host, "registry.test");
      return &client_;
    };
  }
  TestImage Image(const std::string& text) {
    return MakeImage({{testing::TarBuilder().File("f", text).Bytes(), oci::Compression::kGzip}});
  }
  Status Refresh() {
    return RefreshFromRegistry(*store_, *layers_, access_, *oci::Reference::Parse(kRef),
                               [this](const std::string& line) { log_ += line + "\n"; });
  }
  std::vector<std::string> Methods() {
    std::vector<std::string> out;
    for (const auto& r : fake_.requests()) out.push_back(r.method);
    return out;
  }

  testing::ScratchDir dir_;
  registry::FakeRegistry fake_;
  registry::Client client_{fake_.host(), {&fake_, nullptr, {}, {2, 0, 0, [](double) {}}, {}}};
  std::unique_ptr<content::ImageStore> store_;
  std::unique_ptr<snapshot::LayerCache> layers_;
  RegistryAccess access_;
  std::string log_;
};

TEST_F(RefreshTest, MissingIsPulledThenUnchangedCostsOneHead) {
  TestImage v1 = Image("one");
  PutInRegistry(fake_, client_, "team/tool", v1, "1.0");
  fake_.ClearRequests();
  ASSERT_TRUE(Refresh().ok()) << log_;
  EXPECT_EQ(store_->Resolve(kRef)->digest, v1.manifest.descriptor.digest);
  EXPECT_TRUE(layers_->Has(v1.diff_ids[0]));
  fake_.ClearRequests();
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(Methods(), std::vector<std::string>{"HEAD"});
}

TEST_F(RefreshTest, AMovedTagIsPulledAgain) {
  TestImage v1 = Image("one"), v2 = Image("two");
  PutInRegistry(fake_, client_, "team/tool", v1, "1.0");
  ASSERT_TRUE(Refresh().ok());
  PutInRegistry(fake_, client_, "team/tool", v2, "1.0");
  ASSERT_TRUE(Refresh().ok()) << log_;
  EXPECT_EQ(store_->Resolve(kRef)->digest, v2.manifest.descriptor.digest);
  EXPECT_NE(log_.find("moved"), std::string::npos) << log_;
}

TEST_F(RefreshTest, AnUnreachableRegistryLeavesTheLocalCopyWithAWarning) {
  TestImage v1 = Image("one");
  PutInRegistry(fake_, client_, "team/tool", v1, "1.0");
  ASSERT_TRUE(Refresh().ok());
  fake_.FailNext(10, 0);
  log_.clear();
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(store_->Resolve(kRef)->digest, v1.manifest.descriptor.digest);
  EXPECT_NE(log_.find("warning: could not check " + std::string(kRef)), std::string::npos) << log_;
}

TEST_F(RefreshTest, MissingAndUnreachableIsAnError) {
  fake_.FailNext(10, 0);
  Status s = Refresh();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(kRef), std::string::npos) << s.ToString();
}

// The fake behind a hook run before each request.
class HookedTransport : public registry::Transport {
 public:
  HookedTransport(registry::Transport* inner, std::function<void()> hook)
      : inner_(inner), hook_(std::move(hook)) {}
  Result<registry::Response> Do(const registry::Request& request) override {
    hook_();
    return inner_->Do(request);
  }

 private:
  registry::Transport* inner_;
  std::function<void()> hook_;
};

// Two jobs wanting the same missing image at once: one pull. The first request of the first
// pull starts the second refresh and waits until it either waits for the first's pull or sends
// a request of its own (a second pull: what must not happen).
TEST_F(RefreshTest, ConcurrentRefreshesOfAMissingImagePullItOnce) {
  TestImage v1 = Image("one");
  PutInRegistry(fake_, client_, "team/tool", v1, "1.0");
  fake_.ClearRequests();
  std::atomic<int> requests{0};
  std::atomic<bool> second_requested{false};
  std::thread second;
  thread_local bool in_second = false;
  HookedTransport hooked(&fake_, [&] {
    if (in_second) second_requested = true;
    if (requests++ != 0) return;
    second = std::thread([&] {
      in_second = true;
      EXPECT_TRUE(Refresh().ok());
    });
    while (!second_requested && PullsWaitingFor(kRef) == 0) std::this_thread::yield();
  });
  registry::Client hooked_client{fake_.host(),
                                 {&hooked, nullptr, {}, {2, 0, 0, [](double) {}}, {}}};
  access_.client_for = [&](const std::string&) -> Result<registry::Client*> {
    return &hooked_client;
  };
  ASSERT_TRUE(Refresh().ok()) << log_;
  second.join();
  EXPECT_FALSE(second_requested);
  EXPECT_EQ(store_->Resolve(kRef)->digest, v1.manifest.descriptor.digest);
}

}  // namespace
}  // namespace kiln::images
