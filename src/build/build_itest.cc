// kiln build on the real runtime (root, crun, overlayfs): a Dockerfile over a busybox image
// builds, its result runs with the files and config it made, rebuilds come from the cache, and
// podman (when present) runs the exported image as an independent judge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "build/build.h"
#include "jobs/session.h"
#include "testing/registry_server.h"
#include "testing/test_env.h"

namespace kiln::build {
namespace {

using ::testing::HasSubstr;

const char kDockerfile[] = R"(# A Dockerfile using every instruction kiln build supports.
ARG BASE=busybox:1
FROM ${BASE}
ARG GREETING=hi
ENV APP_HOME=/app \
    MODE="two words"
WORKDIR $APP_HOME
COPY --chown=1000:1000 src/ ./src/
ADD files.tar /opt/x/
RUN echo "$GREETING $MODE" > greeting && chown 1000 greeting
USER 1000:1000
RUN id -u > /tmp/whoami
LABEL org.example.k="v 1" other=2
EXPOSE 8080 53/udp
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]
)";

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "sandboxes need root";
    state_ = dir_.Sub("state");
    ctx_ = dir_.Sub("ctx");
    testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
    Kiln({"image", "import", dir_.Sub("rootfs"), "busybox:1"});
    ASSERT_TRUE(MakeDirs(ctx_ + "/src/sub").ok());
    Write("src/a.txt", "hello\n", 0644);
    Write("src/sub/run.sh", "#!/bin/sh\necho run\n", 0750);
    Write("secret.txt", "not for the image\n", 0644);
    Write(".dockerignore", "secret.txt\n", 0644);
    ASSERT_TRUE(MakeDirs(dir_.Sub("tarred/inner")).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.Sub("tarred/inner/t.txt"), "from tar\n").ok());
    auto tar = RunProcess({"tar", "-C", dir_.Sub("tarred"), "-cf", ctx_ + "/files.tar", "."});
    ASSERT_TRUE(tar.ok() && tar->exit_code == 0);
    Write("Dockerfile", kDockerfile, 0644);
    jobs::EngineOptions o;
    o.state_dir = state_;
    o.init_path = testing::KilnInitBinary();
    o.default_size = "1x1";
    engine_ = std::make_unique<jobs::Engine>(std::move(o));
  }
  std::string Kiln(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.status().ToString());
    return r.ok() ? r->out : "";
  }
  void Write(const std::string& rel, const std::string& text, int mode) {
    ASSERT_TRUE(WriteFileAtomic(JoinPath(ctx_, rel), text, mode).ok());
  }
  Result<BuildResult> Build(const std::string& tag, bool no_cache = false) {
    log_.clear();
    BuildRequest r;
    r.context_dir = ctx_;
    r.tag = tag;
    r.build_args = {{"GREETING", "hey"}};
    r.no_cache = no_cache;
    r.log = [this](const std::string& line) { log_ += line + "\n"; };
    return build::Build(*engine_, r);
  }
  // Runs `script` in a sandbox of `image`: its exit code and output.
  std::pair<int, std::string> Run(const std::string& image, const std::string& script) {
    jobs::JobRequest job;
    job.name = "test";
    job.image = image;
    jobs::JobSession session(*engine_, job);
    Status prepared = session.PrepareSandbox();
    EXPECT_TRUE(prepared.ok()) << prepared.ToString();
    if (!prepared.ok()) return {-1, ""};
    std::string out;
    runtime::ExecSpec e;
    e.args = {"/bin/sh", "-c", script};
    e.env = session.image().config().env;
    e.on_line = [&](const std::string& line, bool, bool) { out += line + "\n"; };
    auto code = session.sandbox().Exec(e);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return {code.ok() ? *code : -1, out};
  }
  int UsingCache() const {
    int n = 0;
    for (size_t at = 0; (at = log_.find("Using cache", at)) != std::string::npos; ++at) ++n;
    return n;
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string state_, ctx_, log_;
  std::unique_ptr<jobs::Engine> engine_;
};

TEST_F(BuildTest, ADockerfileBuildsAndItsImageHasTheFilesAndConfig) {
  auto built = Build("app:1");
  ASSERT_TRUE(built.ok()) << built.status().ToString() << "\n" << log_;
  EXPECT_EQ(built->reference, "app:1");
  EXPECT_EQ(built->steps, 14);
  EXPECT_THAT(log_, HasSubstr("Step 8/14 : RUN echo \"$GREETING $MODE\""));
  EXPECT_THAT(log_, HasSubstr("Successfully tagged app:1"));

  auto [code, out] =
      Run("app:1",
          "id -u; id -g; pwd; cat greeting src/a.txt /opt/x/inner/t.txt; "
          "stat -c '%a %u:%g %n' src src/a.txt src/sub/run.sh greeting; "
          "test -e src/secret.txt || echo no-secret; src/sub/run.sh; cat /tmp/whoami; "
          "echo \"$APP_HOME|$MODE|${GREETING:-no-arg}\"");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out,
            "1000\n1000\n/app\nhey two words\nhello\nfrom tar\n"
            "755 1000:1000 src\n644 1000:1000 src/a.txt\n750 1000:1000 src/sub/run.sh\n"
            "644 1000:0 greeting\nno-secret\nrun\n1000\n/app|two words|no-arg\n");

  auto store = engine_->Store();
  ASSERT_TRUE(store.ok());
  auto image = (*store)->Load("app:1");
  ASSERT_TRUE(image.ok());
  const oci::ImageConfig& c = image->config;
  EXPECT_THAT(c.env, ::testing::Contains("APP_HOME=/app"));
  EXPECT_THAT(c.env, ::testing::Contains("MODE=two words"));
  EXPECT_THAT(c.env, ::testing::Not(::testing::Contains("GREETING=hey")));  // ARGs are not kept
  EXPECT_EQ(c.working_dir, "/app");
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(c.cmd, (std::vector<std::string>{"cat /app/greeting"}));
  EXPECT_EQ(c.labels.at("org.example.k"), "v 1");
  EXPECT_EQ(c.labels.at("other"), "2");
  auto raw = ParseJson(c.raw);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ((*raw)["config"]["ExposedPorts"], Json::parse(R"({"8080/tcp":{},"53/udp":{}})"));
}

TEST_F(BuildTest, ARebuildUsesTheCacheForEveryStepAndAChangedSourceRebuildsFromItsStep) {
  auto first = Build("app:1");
  ASSERT_TRUE(first.ok()) << first.status().ToString() << "\n" << log_;
  EXPECT_EQ(first->cached_steps, 0);

  auto again = Build("app:2");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->manifest_digest, first->manifest_digest);
  EXPECT_EQ(again->cached_steps, 12) << log_;  // every step after FROM
  EXPECT_EQ(UsingCache(), 12);

  Write("src/a.txt", "changed\n", 0644);  // COPY is step 6: steps 3 to 5 (ARG, ENV, WORKDIR) stay
  auto changed = Build("app:3");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_NE(changed->manifest_digest, first->manifest_digest);
  EXPECT_EQ(changed->cached_steps, 3) << log_;
  EXPECT_EQ(Run("app:3", "cat src/a.txt").second, "changed\n");

  Write("src/sub/run.sh", "#!/bin/sh\necho run\n", 0700);  // a mode alone changes the key
  auto mode = Build("app:4");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->cached_steps, 3) << log_;

  auto fresh = Build("app:5", /*no_cache=*/true);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->cached_steps, 0);
  EXPECT_EQ(UsingCache(), 0);
}

TEST_F(BuildTest, AFailingRunNamesItsLineAndExitCodeAndTagsNothing) {
  Write("Dockerfile", "FROM busybox:1\nENV A=1\nRUN echo before && exit 3\nCMD [\"true\"]\n", 0644);
  auto built = Build("broken:1");
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.status().message(), HasSubstr("Dockerfile:3:1: RUN echo before && exit 3"));
  EXPECT_THAT(built.status().message(), HasSubstr("exit code 3"));
  EXPECT_THAT(log_, HasSubstr("before\n"));
  auto store = engine_->Store();
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->Resolve("broken:1").ok());
}

TEST_F(BuildTest, SourcesOutsideTheContextAreRefused) {
  ASSERT_EQ(::symlink("/etc", (ctx_ + "/etc-link").c_str()), 0);
  for (const char* src : {"../rootfs/bin/busybox", "etc-link/passwd", "etc-link"}) {
    Write("Dockerfile", std::string("FROM busybox:1\nCOPY ") + src + " /x\n", 0644);
    auto built = Build("escape:1");
    ASSERT_FALSE(built.ok()) << src;
    EXPECT_THAT(built.status().message(), HasSubstr("Dockerfile:2:1: COPY"));
    EXPECT_THAT(built.status().message(), HasSubstr("outside the build context")) << src;
  }
}

TEST_F(BuildTest, TheCommandLinePrintsJsonAndExitsByTheErrorsKind) {
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "build"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : SubprocessResult{};
  };
  auto built = run({"--json", "-t", "cli:1", "--build-arg", "GREETING=yo", ctx_});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto j = ParseJson(built.out);
  ASSERT_TRUE(j.ok()) << built.out;
  EXPECT_EQ((*j)["reference"], "cli:1");
  EXPECT_EQ((*j)["steps"], 14);
  EXPECT_THAT(built.err, HasSubstr("Step 14/14 : CMD"));  // the build's output, on stderr
  auto again = run({"--json", "--build-arg", "GREETING=yo", ctx_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto k = ParseJson(again.out);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)["digest"], (*j)["digest"]);
  EXPECT_EQ((*k)["cached_steps"], 12);
  EXPECT_EQ((*k)["reference"].get<std::string>().rfind(kBuildCachePrefix, 0), 0u);

  Write("Dockerfile", "FROM busybox:1\nRUN --mount=type=cache,target=/c true\n", 0644);
  auto refused = run({ctx_});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("Dockerfile:2:1: RUN --mount is not supported"));
  Write("Dockerfile", "FROM busybox:1\nRUN exit 7\n", 0644);
  auto failed = run({"-t", "cli:2", ctx_});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_THAT(failed.err, HasSubstr("Dockerfile:2:1: RUN exit 7: exit code 7"));
  auto other = run({"-f", dir_.Sub("nope"), ctx_});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("read the Dockerfile"));

  // The cache names are listed with --all only, and --prune-cache forgets them, not cli:1.
  auto cached = [&](const std::string& flag) {
    int n = 0;
    std::vector<std::string> args = {"image", "ls", "--json"};
    if (!flag.empty()) args.push_back(flag);
    auto ls = ParseJson(Kiln(args));
    EXPECT_TRUE(ls.ok());
    for (const auto& row : ls.ok() ? *ls : Json::array())
      n += row["name"].get<std::string>().rfind(kBuildCachePrefix, 0) == 0;
    return n;
  };
  EXPECT_EQ(cached(""), 0);
  EXPECT_GE(cached("--all"), 12);
  auto pruned = run({"--prune-cache"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_THAT(pruned.out, HasSubstr("forgot "));
  EXPECT_EQ(cached("--all"), 0);
  EXPECT_EQ(Run("cli:1", "cat /app/greeting").second, "yo two words\n");
}

// Debian is usrmerged (/bin links to usr/bin): COPY into /bin/ lands in /usr/bin and the link
// stays; --chown by name comes from Debian's /etc/passwd and /etc/group.
TEST_F(BuildTest, CopyFollowsTheImagesSymlinksAndChownsByName) {
  std::string tar = testing::DebianRootfsTar();
  if (tar.empty()) GTEST_SKIP() << "run scripts/fixtures.sh first (the Debian rootfs tarball)";
  Kiln({"image", "import", tar, "debian:bookworm"});
  Write("tool", "#!/bin/sh\necho tool\n", 0755);
  Write("Dockerfile",
        "FROM debian:bookworm\n"
        "COPY --chown=nobody:nogroup tool /bin/\n"
        "RUN test -L /bin && stat -c '%U:%G %a' /usr/bin/tool > /owner && tool >> /owner\n",
        0644);
  auto built = Build("deb:1");
  ASSERT_TRUE(built.ok()) << built.status().ToString() << "\n" << log_;
  auto [code, out] = Run("deb:1", "cat /owner; test -L /bin && echo bin-is-a-link");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, "nobody:nogroup 755\ntool\nbin-is-a-link\n");
}

TEST_F(BuildTest, FromARegistryReferencePullsTheBase) {
  auto reg = testing::RegistryServer::Start();
  if (!reg.ok()) GTEST_SKIP() << "no registry: " << reg.status().ToString();
  std::string ref = (*reg)->host() + "/base/busybox:1";
  Kiln({"push", "busybox:1", ref});
  Write("Dockerfile", "FROM " + ref + "\nRUN echo pulled > /ok\n", 0644);
  jobs::EngineOptions o;  // another state dir: the base is not local there
  o.state_dir = dir_.Sub("state2");
  o.init_path = testing::KilnInitBinary();
  o.default_size = "1x1";
  engine_ = std::make_unique<jobs::Engine>(std::move(o));
  auto built = Build("pulled:1");
  ASSERT_TRUE(built.ok()) << built.status().ToString() << "\n" << log_;
  EXPECT_EQ(Run("pulled:1", "cat /ok").second, "pulled\n");
}

TEST_F(BuildTest, RunStepsFillNoWarmPool) {
  auto engine = [&](int warm) {
    jobs::EngineOptions o;
    o.state_dir = state_;
    o.init_path = testing::KilnInitBinary();
    o.default_size = "1x1";
    o.warm_pool = warm;
    return std::make_unique<jobs::Engine>(std::move(o));
  };
  engine_ = engine(1);  // a job would leave one sandbox waiting for its image as it ends
  Write("Dockerfile", "FROM busybox:1\nRUN touch /a\nRUN touch /b\n", 0644);
  auto built = Build("");
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  engine_ = engine(0);  // the first one ends: Refill
  auto rt = engine_->Runtime();
  ASSERT_TRUE(rt.ok());
  auto pool = (*rt)->ListPool();
  ASSERT_TRUE(pool.ok());
  EXPECT_TRUE(pool->empty()) << pool->size() << " pooled, for " << (*pool)[0].name;
}

TEST_F(BuildTest, PodmanRunsTheExportedImage) {
  if (::access("/usr/bin/podman", X_OK) != 0) GTEST_SKIP() << "no podman";
  auto built = Build("judge:1");
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  std::string archive = dir_.Sub("judge.tar");
  Kiln({"image", "export", "judge:1", "oci-archive:" + archive});
  auto loaded = RunProcess({"podman", "load", "-q", "-i", archive});
  ASSERT_TRUE(loaded.ok() && loaded->exit_code == 0) << (loaded.ok() ? loaded->err : "");
  std::string ref = "localhost/1:latest";  // podman names an oci-archive by its ref.name
  if (auto at = loaded->out.find("Loaded image: "); at != std::string::npos) {
    ref = loaded->out.substr(at + 14);
    ref.erase(ref.find_last_not_of("\n") + 1);
  }
  auto ran = RunProcess({"podman", "run", "--rm", "--network", "none", "--ulimit",
                         "nofile=1024:1024", "--ulimit", "nproc=4096:4096", ref});
  auto shown =
      RunProcess({"podman", "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024",
                  "--ulimit", "nproc=4096:4096", ref, "id -u; pwd; cat src/a.txt"});
  (void)RunProcess({"podman", "rmi", "-f", ref});
  ASSERT_TRUE(ran.ok() && shown.ok());
  EXPECT_EQ(ran->exit_code, 0) << ran->err;
  EXPECT_EQ(ran->out, "hey two words\n");  // ENTRYPOINT + CMD
  EXPECT_EQ(shown->out, "1000\n/app\nhello\n") << shown->err;
}

}  // namespace
}  // namespace kiln::build
