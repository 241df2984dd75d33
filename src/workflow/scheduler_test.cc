// Jobs at once on the fake (host) runtime: independent jobs overlap up to concurrent_jobs, and
// never with 1; `needs` orders them; output lines stay whole; an interrupt stops new jobs.
// No assertion depends on how long anything took: overlap is read from the jobs' own
// start/end stamps.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <thread>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class SchedulerTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml, std::function<void(RunOptions&)> tweak) {
    auto wf = ParseWorkflow(yaml, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    EXPECT_TRUE(MakeDirs(o.workspace).ok());
    o.runners.default_image = "host";
    o.out = [this](const std::string& l) { log_ += l + "\n"; };
    tweak(o);
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  // The most jobs that ran at one moment, from the stamps each job wrote to stamps/<job>:
  // "<start ns> <end ns>".
  int MostAtOnce() {
    std::vector<std::pair<int64_t, int>> events;  // (time, +1 start / -1 end)
    auto names = ListDir(dir_.Sub("ws/stamps"));
    EXPECT_TRUE(names.ok());
    if (!names.ok()) return 0;
    for (const auto& n : *names) {
      auto text = ReadFile(dir_.Sub("ws/stamps/" + n));
      EXPECT_TRUE(text.ok());
      if (!text.ok()) continue;
      int64_t start = 0, end = 0;
      EXPECT_EQ(std::sscanf(text->c_str(), "%ld %ld", &start, &end), 2) << *text;
      events.push_back({start, +1});
      events.push_back({end, -1});
    }
    std::sort(events.begin(), events.end());  // an end before a start at the same ns
    int now = 0, most = 0;
    for (const auto& [t, d] : events) most = std::max(most, now += d);
    return most;
  }
  std::string Jobs(int n, const std::string& step) {
    std::string y = "on: push\njobs:\n";
    for (int i = 0; i < n; ++i)
      y += "  j" + std::to_string(i) + ":\n    runs-on: x\n    steps:\n      - run: " + step + "\n";
    return y;
  }
  // A step that sleeps a second between its start and end stamps.
  std::string Stamped() {
    std::string f = dir_.Sub("ws/stamps") + "/$GITHUB_JOB";
    return "mkdir -p " + dir_.Sub("ws/stamps") +
           "; s=$(date +%s%N); sleep 1; echo \"$s $(date +%s%N)\" > " + f;
  }
  testing::ScratchDir dir_;
  std::string log_;
};

TEST_F(SchedulerTest, IndependentJobsRunAtOnce) {
  RunReport r = Run(Jobs(8, Stamped()), [](RunOptions& o) { o.concurrent_jobs = 8; });
  ASSERT_EQ(r.jobs.size(), 8u) << log_;
  for (size_t i = 0; i < r.jobs.size(); ++i) {
    EXPECT_EQ(r.jobs[i].id, "j" + std::to_string(i));  // plan order, not finish order
    EXPECT_EQ(r.jobs[i].result, Outcome::kSuccess) << log_;
  }
  int most = MostAtOnce();
  EXPECT_GE(most, 2) << log_;
  EXPECT_LE(most, 8);
}

TEST_F(SchedulerTest, OneAtATimeNeverOverlaps) {
  RunReport r = Run(Jobs(3, Stamped()), [](RunOptions& o) { o.concurrent_jobs = 1; });
  ASSERT_EQ(r.jobs.size(), 3u) << log_;
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(MostAtOnce(), 1);
}

TEST_F(SchedulerTest, TheLimitHolds) {
  RunReport r = Run(Jobs(5, Stamped()), [](RunOptions& o) { o.concurrent_jobs = 2; });
  ASSERT_EQ(r.jobs.size(), 5u) << log_;
  EXPECT_LE(MostAtOnce(), 2);
}

// a → (b, c) → d: d starts after both b and c, and sees their outputs and results.
TEST_F(SchedulerTest, DiamondNeedsRunInAValidOrder) {
  std::string order = dir_.Sub("ws/order");
  auto step = [&](const std::string& id) {
    return "echo " + id + " >> " + order + "; sleep 0.2; echo " + id + " >> " + order;
  };
  RunReport r =
      Run("on: push\njobs:\n"
          "  d:\n    needs: [b, c]\n    runs-on: x\n    steps:\n      - run: " +
              step("d") +
              "\n"
              "      - run: test '${{ needs.b.outputs.v }}${{ needs.c.outputs.v }}${{ "
              "needs.c.result }}' = bcsuccess\n"
              "  b:\n    needs: a\n    runs-on: x\n    outputs: {v: '${{ steps.s.outputs.v }}'}\n"
              "    steps:\n      - id: s\n        run: " +
              step("b") +
              "; echo v=b >> $GITHUB_OUTPUT\n"
              "  c:\n    needs: a\n    runs-on: x\n    outputs: {v: '${{ steps.s.outputs.v }}'}\n"
              "    steps:\n      - id: s\n        run: " +
              step("c") +
              "; echo v=c >> $GITHUB_OUTPUT\n"
              "  a:\n    runs-on: x\n    steps:\n      - run: " +
              step("a") + "\n",
          [](RunOptions& o) { o.concurrent_jobs = 4; });
  ASSERT_EQ(r.jobs.size(), 4u) << log_;
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(r.jobs[0].id, "a");
  EXPECT_EQ(r.jobs[3].id, "d");
  auto text = ReadFile(order);
  ASSERT_TRUE(text.ok());
  std::map<std::string, std::vector<size_t>> at;  // job → line numbers of its start, end
  size_t line = 0;
  for (size_t p = 0; p < text->size(); p = text->find('\n', p) + 1, ++line)
    at[text->substr(p, 1)].push_back(line);
  ASSERT_EQ(at["a"].size(), 2u) << *text;
  ASSERT_EQ(at["d"].size(), 2u) << *text;
  for (const char* mid : {"b", "c"}) {
    ASSERT_EQ(at[mid].size(), 2u) << *text;
    EXPECT_GT(at[mid][0], at["a"][1]) << *text;  // starts after a ended
    EXPECT_LT(at[mid][1], at["d"][0]) << *text;  // ended before d started
  }
}

// Jobs printing long lines at the same time: each line reaches `out` whole, one at a time.
// The sink copies a line a piece at a time, yielding between pieces, so two calls at once
// would mix their bytes.
TEST_F(SchedulerTest, OutputLinesAreNeverInterleaved) {
  std::string sink;
  std::string step =
      "for i in $(seq 50); do printf \"L$GITHUB_JOB:\"; head -c 3000 /dev/zero | tr '\\0' z; echo; "
      "done";
  RunReport r = Run(Jobs(4, step), [&](RunOptions& o) {
    o.concurrent_jobs = 4;
    o.out = [&](const std::string& l) {
      for (size_t p = 0; p < l.size(); p += 100) {
        sink.append(l, p, 100);
        std::this_thread::yield();
      }
      sink += '\n';
    };
  });
  ASSERT_EQ(r.jobs.size(), 4u);
  EXPECT_TRUE(r.success) << sink.substr(0, 2000);
  std::map<std::string, int> long_lines;
  for (size_t p = 0; p < sink.size();) {
    size_t nl = sink.find('\n', p);
    ASSERT_NE(nl, std::string::npos);
    std::string l = sink.substr(p, nl - p);
    p = nl + 1;
    size_t mark = l.find("| L");
    if (mark == std::string::npos) continue;
    std::string job = l.substr(mark + 3, l.find(':', mark) - mark - 3);
    EXPECT_EQ(l.rfind("[t.yml/" + job + " › ", 0), 0u) << l.substr(0, 80);
    EXPECT_EQ(l.substr(mark + 3 + job.size() + 1), std::string(3000, 'z')) << l.substr(0, 80);
    ++long_lines[job];
  }
  EXPECT_EQ(long_lines.size(), 4u);
  for (const auto& [job, n] : long_lines) EXPECT_EQ(n, 50) << job;
}

// Without `out`, lines go to stdout, one whole line at a time.
TEST_F(SchedulerTest, StdoutLinesAreNeverInterleaved) {
  std::string step =
      "for i in $(seq 20); do printf \"L$GITHUB_JOB:\"; head -c 5000 /dev/zero | tr '\\0' z; echo; "
      "done";
  ::testing::internal::CaptureStdout();
  RunReport r = Run(Jobs(3, step), [](RunOptions& o) {
    o.concurrent_jobs = 3;
    o.out = nullptr;
  });
  std::string text = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(r.success);
  int long_lines = 0;
  for (size_t p = 0; p < text.size();) {
    size_t nl = text.find('\n', p);
    if (nl == std::string::npos) break;
    std::string l = text.substr(p, nl - p);
    p = nl + 1;
    size_t mark = l.find("| L");
    if (mark == std::string::npos) continue;
    EXPECT_EQ(l.substr(l.find(':', mark) + 1), std::string(5000, 'z')) << l.substr(0, 80);
    ++long_lines;
  }
  EXPECT_EQ(long_lines, 60);
}

// Ctrl-C with two jobs running: both are cancelled, and the waiting third never starts.
TEST_F(SchedulerTest, InterruptCancelsRunningJobsAndStartsNoMore) {
  std::atomic<int> interrupts{0}, started{0};
  std::string slow = "trap '' INT; echo started; sleep 30; echo not reached";
  RunReport r =
      Run("on: push\njobs:\n"
          "  a: {runs-on: x, steps: [{run: \"" +
              slow +
              "\"}]}\n"
              "  b: {runs-on: x, steps: [{run: \"" +
              slow +
              "\"}]}\n"
              "  c: {runs-on: x, steps: [{run: echo c-ran}]}\n",
          [&](RunOptions& o) {
            o.concurrent_jobs = 2;
            o.interrupts = [&] { return interrupts.load(); };
            o.cancel_timings = {0.3, 0.3};
            o.out = [&](const std::string& l) {
              log_ += l + "\n";
              if (l.find("| started") != std::string::npos && ++started == 2) ++interrupts;
            };
          });
  ASSERT_EQ(r.jobs.size(), 2u) << log_;
  for (const auto& j : r.jobs) {
    EXPECT_EQ(j.result, Outcome::kCancelled) << j.id;
    ASSERT_EQ(j.steps.size(), 1u);
    EXPECT_EQ(j.steps[0].exit_code, 128 + SIGTERM);
  }
  EXPECT_FALSE(r.success);
  EXPECT_EQ(log_.find("| c-ran"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("| not reached"), std::string::npos) << log_;
}

}  // namespace
}  // namespace kiln::workflow
