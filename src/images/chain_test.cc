#include "images/chain.h"

#include <gtest/gtest.h>

namespace kiln::images {
namespace {

// An image of `base` layers from elsewhere and `snapshots` layers kiln snapshots added.
Image Chain(size_t base, size_t snapshots, bool label) {
  Image image;
  for (size_t i = 0; i < base + snapshots; ++i) {
    image.loaded.manifest.layers.emplace_back();
    oci::HistoryEntry h;
    h.created_by = i < base ? "/bin/sh -c apt-get install x" : "kiln snapshot: workflow w.yml";
    image.loaded.config.history.push_back(h);
    if (i == 0) image.loaded.config.history.push_back({"", "ENV PATH=/bin", "", true});
  }
  if (label && snapshots > 0) image.loaded.config.labels[kLabelRootLayers] = std::to_string(base);
  return image;
}

TEST(PlanChainTest, BelowTheLimitAddsALayer) {
  ChainPlan p = PlanChain(Chain(3, 10, true), 32);
  EXPECT_FALSE(p.squash);
  EXPECT_EQ(p.root_layers, 3u);
  EXPECT_EQ(p.layers_after, 14u);
}

TEST(PlanChainTest, TheSnapshotThatWouldPassTheLimitSquashesOverTheOriginalBase) {
  ChainPlan at = PlanChain(Chain(3, 28, true), 32);  // 31 + 1 = 32: still fits
  EXPECT_FALSE(at.squash);
  ChainPlan past = PlanChain(Chain(3, 29, true), 32);  // 32 + 1 = 33
  EXPECT_TRUE(past.squash);
  EXPECT_EQ(past.root_layers, 3u);
  EXPECT_EQ(past.layers_after, 4u);
}

TEST(PlanChainTest, ImagesWithoutTheLabelFindTheirBaseInTheHistory) {
  ChainPlan p = PlanChain(Chain(2, 40, false), 32);
  EXPECT_TRUE(p.squash);
  EXPECT_EQ(p.root_layers, 2u);
  EXPECT_EQ(p.layers_after, 3u);
}

TEST(PlanChainTest, ABaseAlreadyPastTheLimitIsNotSquashedAway) {
  ChainPlan first = PlanChain(Chain(40, 0, false), 32);  // a first snapshot of a 40-layer image
  EXPECT_FALSE(first.squash);
  EXPECT_EQ(first.root_layers, 40u);
  ChainPlan second = PlanChain(Chain(40, 1, true), 32);
  EXPECT_TRUE(second.squash);  // one snapshot layer + the new one → one
  EXPECT_EQ(second.layers_after, 41u);
}

TEST(PlanChainTest, ABadLabelFallsBackToTheHistory) {
  Image image = Chain(2, 5, true);
  image.loaded.config.labels[kLabelRootLayers] = "99";  // more than the image has
  EXPECT_EQ(PlanChain(image, 32).root_layers, 2u);
  image.loaded.config.labels[kLabelRootLayers] = "x";
  EXPECT_EQ(PlanChain(image, 32).root_layers, 2u);
}

TEST(PlanChainTest, ZeroMeansNoLimit) { EXPECT_FALSE(PlanChain(Chain(1, 500, true), 0).squash); }

}  // namespace
}  // namespace kiln::images
