// The progress display of kiln pull and push: one line per blob (kind, digest, bytes done of
// total, rate, ETA), redrawn in place on a terminal at most 10 times a second. When stderr is
// not a terminal it draws nothing (the command prints only its result).
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "images/transfer.h"

namespace kiln::cli {

class TransferDisplay {
 public:
  // `enabled`: draw at all (default: stderr is a terminal).
  explicit TransferDisplay(bool enabled);
  TransferDisplay();
  // The callback for PullOptions/PushOptions::progress.
  images::TransferFn Callback();
  // Draws the final state.
  void Finish();

  // One blob's line, for tests: "layer   sha256:ab12cd34ef56  12.0 MB / 40.0 MB  5.0 MB/s  ETA 6s".
  static std::string Line(const images::TransferEvent& e, double seconds);

 private:
  struct Row {
    images::TransferEvent last;
    double started = 0;
  };
  void On(const images::TransferEvent& e);
  void Draw();

  bool enabled_;
  Stopwatch clock_;
  double last_draw_ = -1;
  std::vector<std::string> order_;
  std::map<std::string, Row> rows_;
  size_t drawn_lines_ = 0;
};

}  // namespace kiln::cli
