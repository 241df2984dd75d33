// The progress display's lines (what a terminal shows per blob).
#include "cli/progress.h"

#include <gtest/gtest.h>

namespace kiln::cli {
namespace {

images::TransferEvent Event(images::TransferEvent::State state, int64_t done, int64_t total,
                            std::string note = "") {
  return {oci::Digest::FromData("layer"), "layer", state, done, total, std::move(note)};
}

TEST(TransferDisplayTest, RunningLinesShowBytesRateAndEta) {
  using State = images::TransferEvent::State;
  std::string line = TransferDisplay::Line(Event(State::kRunning, 10 << 20, 40 << 20), 2.0);
  std::string digest = oci::Digest::FromData("layer").Short();
  EXPECT_EQ(line.rfind("layer    " + digest + "  ", 0), 0u) << line;
  EXPECT_NE(line.find(FormatBytes(10 << 20) + " / " + FormatBytes(40 << 20)), std::string::npos)
      << line;
  EXPECT_NE(line.find(FormatBytes(5 << 20) + "/s"), std::string::npos) << line;  // 10 MiB in 2 s
  EXPECT_NE(line.find("ETA " + FormatDuration(6.0)), std::string::npos) << line;
  // Nothing moved yet: no rate, no ETA.
  EXPECT_EQ(TransferDisplay::Line(Event(State::kRunning, 0, 40 << 20), 0).find("ETA"),
            std::string::npos);
}

TEST(TransferDisplayTest, FinalStatesSayWhatHappened) {
  using State = images::TransferEvent::State;
  EXPECT_NE(TransferDisplay::Line(Event(State::kDone, 9, 9), 1).find("done"), std::string::npos);
  EXPECT_NE(TransferDisplay::Line(Event(State::kSkipped, 9, 9, "already present"), 1)
                .find("already present"),
            std::string::npos);
  EXPECT_NE(TransferDisplay::Line(Event(State::kMounted, 9, 9, "mounted from team/base"), 1)
                .find("mounted from team/base"),
            std::string::npos);
  EXPECT_NE(TransferDisplay::Line(Event(State::kFailed, 0, 9), 1).find("failed"),
            std::string::npos);
}

TEST(TransferDisplayTest, OffATerminalItDrawsNothing) {
  TransferDisplay display(false);
  EXPECT_FALSE(static_cast<bool>(display.Callback()));
}

}  // namespace
}  // namespace kiln::cli
