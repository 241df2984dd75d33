#include "cli/progress.h"

#include <unistd.h>

namespace kiln::cli {
namespace {

std::string Bytes(int64_t n) { return FormatBytes(static_cast<uint64_t>(n < 0 ? 0 : n)); }

std::string StateText(const images::TransferEvent& e) {
  using State = images::TransferEvent::State;
  switch (e.state) {
    case State::kDone:
      return "done " + Bytes(e.total);
    case State::kSkipped:
      return e.note.empty() ? "skipped" : e.note;
    case State::kMounted:
      return e.note.empty() ? "mounted" : e.note;
    case State::kFailed:
      return "failed";
    case State::kRunning:
      break;
  }
  return "";
}

}  // namespace

TransferDisplay::TransferDisplay(bool enabled) : enabled_(enabled) {}
TransferDisplay::TransferDisplay() : TransferDisplay(::isatty(STDERR_FILENO) == 1) {}

images::TransferFn TransferDisplay::Callback() {
  if (!enabled_) return {};
  return [this](const images::TransferEvent& e) { On(e); };
}

std::string TransferDisplay::Line(const images::TransferEvent& e, double seconds) {
  char head[64];
  std::snprintf(head, sizeof head, "%-8s %s  ", e.kind.c_str(), e.digest.Short().c_str());
  std::string done = StateText(e);
  if (!done.empty()) return head + done;
  std::string line = head + Bytes(e.done) + " / " + Bytes(e.total);
  if (seconds <= 0 || e.done <= 0) return line;
  double rate = static_cast<double>(e.done) / seconds;
  line += "  " + Bytes(static_cast<int64_t>(rate)) + "/s";
  if (e.total > e.done) {
    line += "  ETA " + FormatDuration(static_cast<double>(e.total - e.done) / rate);
  }
  return line;
}

void TransferDisplay::On(const images::TransferEvent& e) {
  std::string key = e.digest.str();
  auto [it, inserted] = rows_.try_emplace(key);
  if (inserted) {
    order_.push_back(key);
    it->second.started = clock_.Seconds();
  }
  it->second.last = e;
  double now = clock_.Seconds();
  bool final = e.state != images::TransferEvent::State::kRunning;
  if (final || inserted || now - last_draw_ >= 0.1) Draw();
}

void TransferDisplay::Draw() {
  last_draw_ = clock_.Seconds();
  std::string out;
  // Back to the first line drawn, then each line cleared and written again.
  if (drawn_lines_ > 0) out += "\r\033[" + std::to_string(drawn_lines_) + "A";
  for (const auto& key : order_) {
    const Row& row = rows_[key];
    out += "\r\033[2K" + Line(row.last, last_draw_ - row.started) + "\n";
  }
  drawn_lines_ = order_.size();
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void TransferDisplay::Finish() {
  if (enabled_ && !order_.empty()) Draw();
}

}  // namespace kiln::cli
