// The shared Sandbox suite (compiled into both test binaries).
#include "runtime/sandbox_suite.h"

#include <chrono>
#include <csignal>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"

namespace kiln::runtime {

void SandboxSuite::SetUp() { env_ = MakeSuiteEnv(dir_); }

SandboxSpec SandboxSuite::BaseSpec(std::vector<BindMount> mounts) const {
  SandboxSpec spec;
  spec.name = "suite";
  spec.lower_dirs = env_.lower_dirs;
  spec.image.env = {"PATH=/usr/local/bin:/usr/bin:/bin:/sbin"};
  spec.mounts = std::move(mounts);
  return spec;
}

std::unique_ptr<Sandbox> SandboxSuite::NewSandbox(std::vector<BindMount> mounts) {
  auto s = env_.runtime->Create(BaseSpec(std::move(mounts)));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

std::pair<int, std::vector<std::string>> SandboxSuite::Sh(Sandbox& s, const std::string& script,
                                                          std::vector<std::string> env,
                                                          const std::string& cwd) {
  std::vector<std::string> lines;
  ExecSpec e;
  e.args = {"/bin/sh", "-c", script};
  e.env = env.empty() ? std::vector<std::string>{"PATH=/usr/local/bin:/usr/bin:/bin:/sbin"} : env;
  e.cwd = cwd;
  e.on_line = [&](const std::string& l, bool err, bool) {
    lines.push_back((err ? "E:" : "O:") + l);
  };
  auto r = s.Exec(e);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return {r.ok() ? *r : -1, lines};
}

TEST_F(SandboxSuite, ExitCodesPassThroughExactly) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  EXPECT_EQ(Sh(*s, "exit 0").first, 0);
  EXPECT_EQ(Sh(*s, "exit 1").first, 1);
  EXPECT_EQ(Sh(*s, "exit 42").first, 42);
  EXPECT_EQ(Sh(*s, "kill -9 $$").first, 128 + 9);
}

TEST_F(SandboxSuite, StreamsLinesInOrderAndPassesEnvAndCwd) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Sh(*s, "echo one; echo two >&2; echo \"$FOO\"; pwd",
                          {"PATH=/usr/bin:/bin", "FOO=bar baz"}, "/tmp");
  EXPECT_EQ(code, 0);
  // stdout and stderr are two streams: order holds within each, not across them.
  std::vector<std::string> out, err;
  for (const auto& l : lines) (l[0] == 'O' ? out : err).push_back(l.substr(2));
  EXPECT_EQ(out, (std::vector<std::string>{"one", "bar baz", "/tmp"}));
  EXPECT_EQ(err, std::vector<std::string>{"two"});
}

TEST_F(SandboxSuite, BindMountsAreVisibleAndWritable) {
  std::string host = dir_.Sub("ws");
  ASSERT_TRUE(MakeDirs(host).ok());
  ASSERT_TRUE(WriteFileAtomic(host + "/in.txt", "from host\n").ok());
  auto s = NewSandbox({{host, "/github/workspace", false}});
  ASSERT_TRUE(s);
  auto [code, lines] =
      Sh(*s, "cat /github/workspace/in.txt && echo back > /github/workspace/out.txt");
  EXPECT_EQ(code, 0);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "O:from host");
  EXPECT_EQ(*ReadFile(host + "/out.txt"), "back\n");
  EXPECT_EQ(s->HostPath("/github/workspace/out.txt"), host + "/out.txt");
}

// How a running step is cancelled: Signal reaches the exec'd shell and its child, the Exec
// returns at once with 128+N, and the sandbox keeps working.
TEST_F(SandboxSuite, SignalStopsRunningExecsButNotTheSandbox) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  Stopwatch watch;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_TRUE(s->Signal(SIGINT).ok());
  });
  auto [code, lines] = Sh(*s, "sleep 31; echo not reached");
  stopper.join();
  EXPECT_LT(watch.Seconds(), 10.0);
  EXPECT_EQ(code, 128 + SIGINT);
  EXPECT_TRUE(lines.empty()) << lines[0];
  EXPECT_EQ(Sh(*s, "echo still here").second, std::vector<std::string>{"O:still here"});
}

// The warm pool: filled up to a count (never beyond), each pooled sandbox taken by exactly one
// Create of a spec that differs at most in name and mounts, with that spec's mounts working.
TEST_F(SandboxSuite, APooledSandboxIsTakenOnceAndGetsTheJobsMounts) {
  Runtime& rt = *env_.runtime;
  auto filled = rt.FillPool(BaseSpec(), 2);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  EXPECT_EQ(*filled, 2);
  EXPECT_EQ(*rt.FillPool(BaseSpec(), 2), 0);
  EXPECT_EQ(rt.ListPool()->size(), 2u);

  std::string host = dir_.Sub("ws");
  ASSERT_TRUE(MakeDirs(host).ok());
  ASSERT_TRUE(WriteFileAtomic(host + "/in.txt", "from host\n").ok());
  SandboxSpec job =
      BaseSpec({{host, "/github/workspace", false}, {dir_.Sub("ro"), "/opt/ro", true}});
  job.name = "a job";
  auto s = rt.Create(job);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->from_pool());
  auto [code, lines] =
      Sh(**s, "cat /github/workspace/in.txt && echo back > /github/workspace/out.txt");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines, std::vector<std::string>{"O:from host"});
  EXPECT_EQ(*ReadFile(host + "/out.txt"), "back\n");
  if (env_.isolated) {
    EXPECT_NE(Sh(**s, "touch /opt/ro/x 2>/dev/null").first, 0);  // read-only
  }
  EXPECT_EQ(rt.ListPool()->size(), 1u);

  SandboxSpec other = BaseSpec();
  other.hostname = "elsewhere";  // another key: not from this pool
  auto cold = rt.Create(other);
  ASSERT_TRUE(cold.ok());
  EXPECT_FALSE((*cold)->from_pool());
  EXPECT_EQ(*rt.DrainPool(), 1);
  EXPECT_TRUE(rt.ListPool()->empty());
  auto after = rt.Create(BaseSpec());
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE((*after)->from_pool());
}

// Several jobs of one process at once, through one Runtime: each gets its own sandbox, its own
// output and exit code.
TEST_F(SandboxSuite, FourThreadsCreateExecAndDestroyAtOnce) {
  constexpr int kThreads = 4;
  std::vector<std::string> ids(kThreads), outs(kThreads);
  std::vector<int> codes(kThreads, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto s = env_.runtime->Create(BaseSpec());
      if (!s.ok()) {
        outs[i] = s.status().ToString();
        return;
      }
      ids[i] = (*s)->id();
      ExecSpec e;
      e.args = {"/bin/sh", "-c",
                "echo job " + std::to_string(i) + "; exit " + std::to_string(10 + i)};
      e.env = {"PATH=/usr/local/bin:/usr/bin:/bin:/sbin"};
      e.on_line = [&outs, i](const std::string& l, bool, bool) { outs[i] += l; };
      auto r = (*s)->Exec(e);
      codes[i] = r.ok() ? *r : -1;
      if (!(*s)->Destroy().ok()) codes[i] = -2;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(outs[i], "job " + std::to_string(i)) << i;
    EXPECT_EQ(codes[i], 10 + i) << i;
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), size_t{kThreads});
  EXPECT_TRUE(env_.runtime->LayerDirsInUse()->empty());
}

// Takes from four threads at once of a pool of four: each gets a pooled sandbox, no two the same.
TEST_F(SandboxSuite, PoolTakesFromFourThreadsGetFourDistinctSandboxes) {
  constexpr int kThreads = 4;
  ASSERT_EQ(*env_.runtime->FillPool(BaseSpec(), kThreads), kThreads);
  std::vector<std::unique_ptr<Sandbox>> boxes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto s = env_.runtime->Create(BaseSpec());
      if (s.ok()) boxes[i] = std::move(*s);
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& b : boxes) {
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->from_pool());
    ids.insert(b->id());
  }
  EXPECT_EQ(ids.size(), size_t{kThreads});
  EXPECT_TRUE(env_.runtime->ListPool()->empty());
  for (const auto& b : boxes) EXPECT_EQ(Sh(*b, "echo up").second, std::vector<std::string>{"O:up"});
}

// Layer GC asks the runtime: the lower dirs of job, pooled and persistent sandboxes, until each
// is gone.
TEST_F(SandboxSuite, LayerDirsInUseNamesTheLayersOfEverySandboxThatExists) {
  Runtime& rt = *env_.runtime;
  auto with_layer = [&](const std::string& name) {
    EXPECT_TRUE(MakeDirs(dir_.Sub(name)).ok());
    SandboxSpec spec = BaseSpec();
    spec.lower_dirs.push_back(dir_.Sub(name));
    return spec;
  };
  auto expect = [&](std::vector<std::string> extra) {
    std::set<std::string> want(env_.lower_dirs.begin(), env_.lower_dirs.end());
    for (const auto& e : extra) want.insert(dir_.Sub(e));
    if (extra.empty()) want.clear();
    auto got = rt.LayerDirsInUse();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, std::vector<std::string>(want.begin(), want.end()));
  };
  expect({});
  auto job = rt.Create(with_layer("job-layer"));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_EQ(*rt.FillPool(with_layer("pool-layer"), 1), 1);
  SandboxSpec kept = with_layer("kept-layer");
  kept.persistent = true;
  auto persistent = rt.Create(kept);
  ASSERT_TRUE(persistent.ok()) << persistent.status().ToString();
  expect({"job-layer", "pool-layer", "kept-layer"});
  ASSERT_TRUE((*job)->Destroy().ok());
  expect({"pool-layer", "kept-layer"});
  ASSERT_EQ(*rt.DrainPool(), 1);
  expect({"kept-layer"});
  ASSERT_TRUE((*persistent)->Destroy().ok());
  expect({});
}

TEST_F(SandboxSuite, DestroyIsIdempotent) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->Destroy().ok());
  EXPECT_TRUE(s->Destroy().ok());
}

}  // namespace kiln::runtime

namespace kiln::runtime {

TEST_F(SandboxSuite, SpawnReturnsAtOnceAndTheProcessRunsOnWritingItsLog) {
  std::string host = dir_.Sub("spawn");
  ASSERT_TRUE(MakeDirs(host).ok());
  auto s = NewSandbox({{host, "/shared", false}});
  ASSERT_TRUE(s);
  ExecSpec e;
  // Waits for a file the test writes after Spawn returned: Spawn cannot have waited for it.
  e.args = {"/bin/sh", "-c",
            "echo started $WHO; while [ ! -f /shared/go ]; do sleep 0.01; done; "
            "echo done > /shared/out; echo bye >&2"};
  e.env = {"PATH=/usr/bin:/bin", "WHO=spawned"};
  std::string log = dir_.Sub("spawn.log");
  ASSERT_TRUE(s->Spawn(e, log).ok());
  ASSERT_TRUE(WriteFileAtomic(host + "/go", "").ok());
  // The exec below ends once the spawned process wrote its file (bounded by tries, not time).
  auto [code, lines] = Sh(*s,
                          "for i in $(seq 1000); do [ -f /shared/out ] && exit 0; sleep 0.01; "
                          "done; exit 1");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(*ReadFile(host + "/out"), "done\n");
  auto logged = [&] {
    auto text = ReadFile(log);
    return text.ok() && text->find("bye") != std::string::npos;
  };
  for (int i = 0; i < 1000 && !logged(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(*ReadFile(log), "started spawned\nbye\n");
}

}  // namespace kiln::runtime

namespace kiln::runtime {

TEST_F(SandboxSuite, AFileIsBindMountedAsAFile) {
  std::string file = dir_.Sub("tool");
  ASSERT_TRUE(WriteFileAtomic(file, "#!/bin/sh\necho tool \"$@\"\n", 0755).ok());
  auto s = NewSandbox({{file, "/opt/bin/tool", true}});
  ASSERT_TRUE(s);
  auto [code, lines] = Sh(*s, "/opt/bin/tool hello");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines, std::vector<std::string>{"O:tool hello"});
  EXPECT_TRUE(IsDirectory(dir_.path()));
  EXPECT_FALSE(IsDirectory(file));  // still the file
}

}  // namespace kiln::runtime
