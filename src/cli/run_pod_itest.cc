// kiln run's services:, container: options and volumes, and the workspace copy, under crun on
// busybox images (and a postgres service on PostgreSQL 15 from scripts/fixtures-postgres.sh).
#include <signal.h>

#include <set>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class RunPodE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    std::string rootfs = dir_.Sub("bb");
    testing::MakeBusyboxRootfs(rootfs);
    ASSERT_EQ(Kiln({"image", "import", rootfs, "bb"}).code, 0);
    // A service image: /start serves /www on 8080 (busybox images have no Cmd to run).
    ASSERT_TRUE(MakeDirs(rootfs + "/www").ok());
    ASSERT_TRUE(WriteFileAtomic(rootfs + "/www/index.html", "hello from web\n").ok());
    ASSERT_TRUE(
        WriteFileAtomic(rootfs + "/start", "#!/bin/sh\nexec httpd -f -p 8080 -h /www\n", 0755)
            .ok());
    ASSERT_EQ(Kiln({"image", "import", rootfs, "bbsrv"}).code, 0);
  }
  // No sandbox, network, pod state or bridge of kiln's is left.
  void ExpectNothingLeft() {
    for (const char* d : {"/sandboxes", "/networks"}) {
      auto left = ListDir(state_ + d);
      if (left.ok()) {
        EXPECT_TRUE(left->empty()) << d << ": " << left->size();
      }
    }
    auto pods = ListDir(state_ + "/pods");
    if (pods.ok()) {
      for (const auto& p : *pods) EXPECT_EQ(p.find(".json"), std::string::npos) << p;
    }
    auto crun = RunChecked({"crun", "--root", state_ + "/crun", "list", "-q"});
    if (crun.ok()) {
      EXPECT_EQ(crun->out, "");
    }
  }
};

constexpr const char* kWeb =
    "      web:\n        image: bbsrv\n        ports: [8080]\n"
    "        options: >-\n          --entrypoint /start\n"
    "          --health-cmd \"wget -q -O /dev/null http://127.0.0.1:8080/\"\n"
    "          --health-interval 200ms --health-retries 50\n";

// The job reaches the service by name; the host reaches it on the port job.services names
// (fetched while the job waits for the test's go-ahead in the bound workspace).
TEST_F(RunPodE2E, AServiceIsReachedByNameAndItsPortIsPublished) {
  Workflow("w.yml", std::string("on: push\njobs:\n  a:\n    runs-on: {image: bb}\n"
                                "    timeout-minutes: 2\n    services:\n") +
                        kWeb +
                        "    steps:\n      - shell: sh\n        run: wget -q -O- http://web:8080/\n"
                        "      - shell: sh\n        run: |\n"
                        "          echo \"net=${{ job.services.web.network }}\"\n"
                        "          echo \"host-port=${{ job.services.web.ports['8080'] }}\"\n"
                        "          while [ ! -e go ]; do sleep 0.1; done\n");
  std::string out, from_host;
  SubprocessOptions o;
  o.cwd = ws_;
  o.on_line = [&](const std::string& line, bool, bool) {
    out += line + "\n";
    size_t at = line.find("| host-port=");
    if (at == std::string::npos) return;
    std::string port = line.substr(at + 12);
    auto got = RunProcess({"curl", "-sS", "-m", "10", "http://127.0.0.1:" + port + "/"});
    from_host = got.ok() ? got->out + got->err : got.status().ToString();
    (void)WriteFileAtomic(ws_ + "/go", "");
  };
  auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "run", "--bind"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0) << out;
  EXPECT_NE(out.find("| hello from web"), std::string::npos) << out;
  EXPECT_NE(out.find("service web is healthy"), std::string::npos) << out;
  EXPECT_EQ(from_host, "hello from web\n") << out;
  EXPECT_NE(out.find("| net=pod-run-"), std::string::npos) << out;
  ExpectNothingLeft();
}

TEST_F(RunPodE2E, AServiceThatNeverGetsHealthyFailsTheJobAndLeavesNothing) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    services:\n      web:\n"
           "        image: bbsrv\n        options: --entrypoint /start --health-cmd false "
           "--health-interval 100ms --health-retries 3\n"
           "    steps:\n      - shell: sh\n        run: echo should-not-run\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("service web is not healthy after 3 checks"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("| should-not-run"), std::string::npos) << r.out;
  ExpectNothingLeft();
}

TEST_F(RunPodE2E, AJobContainerGetsItsVolumesAndOptions) {
  std::string host = dir_.Sub("hostdir");
  ASSERT_TRUE(MakeDirs(host).ok());
  ASSERT_TRUE(WriteFileAtomic(host + "/f", "from the host\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n"
           "      image: bb\n      volumes: [cache:/cache, \"" +
               host +
               ":/hostdir:ro\"]\n"
               "      options: --user 1000 --hostname builder -e FROM_OPT=yes --cpus 1\n"
               "    steps:\n      - shell: sh\n        run: |\n"
               "          echo \"uid=$(id -u) host=$(hostname) opt=$FROM_OPT cpus=$(nproc)\"\n"
               "          cat /hostdir/f\n"
               "          touch /hostdir/x 2>/dev/null || echo ro-refused\n"
               "          echo \"cache-mounts=$(grep -c ' /cache ' /proc/mounts)\"\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| uid=1000 host=builder opt=yes cpus=1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| from the host"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| ro-refused"), std::string::npos) << r.out;
  // A named volume is a new root-owned dir, as docker makes one: mounted, not writable by 1000.
  EXPECT_NE(r.out.find("| cache-mounts=1"), std::string::npos) << r.out;
  EXPECT_FALSE(PathExists(host + "/x"));
  ExpectNothingLeft();
}

TEST_F(RunPodE2E, AnUnknownContainerOptionIsRefusedBeforeAnythingRuns) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n"
           "      image: bb\n      options: --privileged\n    steps: [{run: 'true'}]\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("w.yml:7:16: container: options: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--privileged"), std::string::npos) << r.err;
}

// Ctrl-C while kiln waits for a service's health: the wait ends, the job is not run, and the
// pod is removed.
TEST_F(RunPodE2E, CtrlCWhileWaitingForAServiceCleansUp) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    services:\n      web:\n"
           "        image: bbsrv\n        options: --entrypoint /start --health-cmd false "
           "--health-interval 1s --health-retries 1000\n"
           "    steps:\n      - shell: sh\n        run: echo should-not-run\n");
  int pid = 0;
  std::string out;
  SubprocessOptions o;
  o.cwd = ws_;
  o.on_start = [&](int p) { pid = p; };
  o.on_line = [&](const std::string& line, bool, bool) {
    out += line + "\n";
    if (line.find("to be healthy (check 1 failed)") != std::string::npos) ::kill(pid, SIGINT);
  };
  auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "run"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 1) << out;
  EXPECT_NE(out.find("interrupted while waiting for service web"), std::string::npos) << out;
  EXPECT_NE(out.find("Job cancelled"), std::string::npos) << out;
  EXPECT_EQ(out.find("| should-not-run"), std::string::npos) << out;
  ExpectNothingLeft();
}

// kill -9 mid-job: the pod's sandboxes are persistent, so the next `kiln run` removes them.
TEST_F(RunPodE2E, AKilledRunsPodIsRemovedByTheNextRun) {
  Workflow("w.yml", std::string("on: push\njobs:\n  a:\n    runs-on: {image: bb}\n"
                                "    services:\n") +
                        kWeb +
                        "    steps:\n      - shell: sh\n        run: echo started; sleep 300\n");
  int pid = 0;
  std::string out;
  SubprocessOptions o;
  o.cwd = ws_;
  o.on_start = [&](int p) { pid = p; };
  o.on_line = [&](const std::string& line, bool, bool) {
    out += line + "\n";
    if (line.find("| started") != std::string::npos) ::kill(pid, SIGKILL);
  };
  auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "run"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_NE(out.find("| started"), std::string::npos) << out;
  auto pods = ListDir(state_ + "/pods");
  ASSERT_TRUE(pods.ok());
  bool left = false;
  for (const auto& p : *pods) left |= p.find(".json") != std::string::npos;
  EXPECT_TRUE(left) << "the killed run left no pod: the sweep below proves nothing";
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    steps:\n"
           "      - shell: sh\n        run: 'true'\n");
  auto next = Kiln({"run"});
  EXPECT_EQ(next.code, 0) << next.out << next.err;
  EXPECT_NE(next.out.find("of a kiln run that was killed"), std::string::npos) << next.out;
  ExpectNothingLeft();
}

// The workspace: each job writes to a copy of its own; with --bind to the checkout itself.
TEST_F(RunPodE2E, JobsWriteToTheirOwnCopyUnlessBound) {
  ASSERT_TRUE(WriteFileAtomic(ws_ + "/seed", "seed\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    steps:\n      - shell: sh\n"
           "        run: cat seed; echo a > from_a\n"
           "  b:\n    needs: a\n    runs-on: {image: bb}\n    steps:\n      - shell: sh\n"
           "        run: test -e from_a && echo b-sees-a || echo b-alone\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| seed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| b-alone"), std::string::npos) << r.out;
  EXPECT_FALSE(PathExists(ws_ + "/from_a"));
  r = Kiln({"run", "--bind"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| b-sees-a"), std::string::npos) << r.out;
  EXPECT_EQ(*ReadFile(ws_ + "/from_a"), "a\n");
}

}  // namespace
}  // namespace kiln::cli

namespace kiln::cli {
namespace {

// act's `services` case with a server that takes connections: PostgreSQL 15 made by
// scripts/fixtures-postgres.sh stands for postgres:12. Its entrypoint makes the cluster from
// POSTGRES_*, pg_isready is its health check, and the job logs in by the service's name with
// that user and password (and not with another password).
TEST_F(RunPodE2E, APostgresServiceTakesItsUserAndPasswordByName) {
  std::string layout = testing::PostgresOciLayout();
  ASSERT_FALSE(layout.empty()) << "run scripts/fixtures.sh first (it makes the postgres image)";
  ASSERT_EQ(Kiln({"-q", "image", "import", "oci:" + layout + ":postgres", "postgres:12"}).code, 0);
  Workflow("w.yml",
           "on: push\njobs:\n  db:\n    runs-on: {image: postgres:12}\n"
           "    timeout-minutes: 3\n    services:\n      postgres:\n        image: postgres:12\n"
           "        env: {POSTGRES_USER: runner, POSTGRES_PASSWORD: pw1, POSTGRES_DB: mydb}\n"
           "        options: --health-cmd pg_isready --health-interval 200ms "
           "--health-retries 100\n"
           "    steps:\n"
           "      - run: psql postgresql://runner:pw1@postgres:5432/mydb -tAc "
           "\"select 'as ' || current_user || ' in ' || current_database()\"\n"
           "      - run: |\n"
           "          out=$(psql postgresql://runner:nope@postgres:5432/mydb -c 'select 1' 2>&1) "
           "|| true\n"
           "          case \"$out\" in *'password authentication failed'*) echo refused;; "
           "*) echo \"$out\"; exit 1;; esac\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("service postgres is healthy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| as runner in mydb"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| refused"), std::string::npos) << r.out;
  ExpectNothingLeft();
}

}  // namespace
}  // namespace kiln::cli
