// Pods on the real runtime (root, crun, overlayfs): a job sandbox and services that outlive the
// call that made them, found again by key, health checks, and Remove leaving nothing.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "jobs/busybox_state_test.h"
#include "jobs/pod.h"
#include "testing/registry_server.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

class PodTest : public BusyboxStateTest {
 protected:
  void TearDown() override {
    if (!testing::IsRoot()) return;
    auto engine = NewEngine();
    auto pod = Pod::Open(*engine, "p1");
    if (pod.ok()) (void)pod->Remove();
  }
  static ContainerRequest Busybox(const std::string& name) {
    ContainerRequest r;
    r.name = name;
    r.image = "busybox:1";
    return r;
  }
  // Runs `script` in sandbox `box`: its exit code and output.
  static std::pair<int, std::string> Sh(runtime::Sandbox& box, const std::string& script) {
    runtime::ExecSpec e;
    e.args = {"/bin/sh", "-c", script};
    std::string out;
    e.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
    auto code = box.Exec(e);
    return {code.ok() ? *code : -1, code.ok() ? out : code.status().ToString()};
  }
  std::vector<std::string> PodSandboxes(Engine& engine) {
    std::vector<std::string> ids;
    auto rt = engine.Runtime();
    auto infos = (*rt)->List();
    for (const auto& i : *infos) {
      if (i.spec.labels.count("pod")) ids.push_back(i.id);
    }
    return ids;
  }
};

// A service's main process: counts into /data/count (a pod volume) forever.
ContainerRequest Counter() {
  ContainerRequest r;
  r.name = "counter";
  r.image = "busybox:1";
  r.aliases = {"counter"};
  r.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  r.args = std::vector<std::string>{
      "i=0; while :; do i=$((i+1)); echo $i > /data/count; sleep 0.05; done"};
  r.mounts = {{"data", "/data", false}};
  return r;
}

TEST_F(PodTest, AJobAndAServiceOutliveTheirCallAndAreFoundAgainByKey) {
  std::string job_id, service_id;
  {
    auto engine = NewEngine();
    auto pod = Pod::Open(*engine, "p1");
    ASSERT_TRUE(pod.ok()) << pod.status().ToString();
    ContainerRequest job = Busybox("job");
    job.env = {"GREETING=hello"};
    job.mounts = {{"data", "/data", true}};
    auto j = pod->AddJob(job, nullptr);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    auto s = pod->AddService(Counter(), nullptr);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    job_id = j->id;
    service_id = s->id;
    EXPECT_EQ(j->image_ref, "busybox:1");
  }
  // The state file names both.
  auto text = ReadFile(state_ + "/pods/p1.json");
  ASSERT_TRUE(text.ok());
  auto json = ParseJson(*text);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["job"]["id"], job_id);
  EXPECT_EQ((*json)["services"][0]["id"], service_id);
  EXPECT_EQ((*json)["services"][0]["aliases"][0], "counter");

  // A second call (a new engine, as a new kiln process has).
  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok()) << pod.status().ToString();
  ASSERT_TRUE(pod->state().job.has_value());
  EXPECT_EQ(pod->state().job->id, job_id);
  ASSERT_EQ(pod->state().services.size(), 1u);
  EXPECT_EQ(pod->state().services[0].id, service_id);
  auto box = pod->JobSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto [code, out] = Sh(**box, "echo $GREETING; hostname");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, "hello\njob\n");
  // The service's main process still counts: the job sees /data/count change (read-only mount
  // of the same volume). Bounded by tries, not by time.
  auto [changed, seen] = Sh(**box,
                            "a=$(cat /data/count); for i in $(seq 400); do "
                            "b=$(cat /data/count); [ \"$b\" != \"$a\" ] && echo moved && exit 0; "
                            "sleep 0.05; done; echo stuck at $a; exit 1");
  EXPECT_EQ(changed, 0) << seen;
  // Read-only honoured.
  EXPECT_NE(Sh(**box, "echo x > /data/x").first, 0);
}

TEST_F(PodTest, TheJobReachesAServiceByItsAliasOnThePodsNetwork) {
  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok());
  ContainerRequest web = Busybox("web-server");
  web.aliases = {"web"};
  web.entrypoint = std::vector<std::string>{
      "/bin/sh", "-c",
      "mkdir -p /www && echo hi-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"};
  web.health = HealthCheck{{"CMD", "wget", "-qO-", "http://127.0.0.1:8080/"}, 0.05, 5, 0, 200};
  auto s = pod->AddService(web, nullptr);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(pod->WaitHealthy(nullptr).ok());
  ASSERT_TRUE(pod->AddJob(Busybox("job"), nullptr).ok());
  auto box = pod->JobSandbox();
  ASSERT_TRUE(box.ok());
  auto [code, out] = Sh(**box, "wget -qO- http://web:8080/");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "hi-from-web\n");
  EXPECT_NE(Sh(**box, "wget -qO- http://no-such-alias:8080/").first, 0);
}

TEST_F(PodTest, HealthChecksPassAndAFailingOneIsNamedWithItsOutput) {
  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok());
  ContainerRequest ready = Busybox("ready");
  ready.entrypoint = std::vector<std::string>{"/bin/sh", "-c", "touch /ready; exec sleep 1000"};
  ready.health = HealthCheck{{"CMD-SHELL", "test -f /ready"}, 0.02, 10, 0, 500};
  ASSERT_TRUE(pod->AddService(ready, nullptr).ok());
  std::vector<std::string> said;
  Status healthy = pod->WaitHealthy([&](const std::string& l) { said.push_back(l); });
  ASSERT_TRUE(healthy.ok()) << healthy.ToString();
  EXPECT_EQ(said, std::vector<std::string>{"service ready is healthy"});

  ContainerRequest db = Busybox("db");
  db.entrypoint = std::vector<std::string>{"sleep", "1000"};
  db.health = HealthCheck{{"CMD", "/bin/sh", "-c", "echo not accepting; exit 1"}, 0.01, 10, 0, 2};
  ASSERT_TRUE(pod->AddService(db, nullptr).ok());
  Status sick = pod->WaitHealthy(nullptr);
  EXPECT_EQ(sick.code(), Code::kFailedPrecondition);
  EXPECT_NE(sick.message().find("service db"), std::string::npos) << sick.ToString();
  EXPECT_NE(sick.message().find("not accepting"), std::string::npos) << sick.ToString();
}

TEST_F(PodTest, AHealthCheckPastItsTimeoutFails) {
  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok());
  ContainerRequest slow = Busybox("slow");
  slow.entrypoint = std::vector<std::string>{"sleep", "1000"};
  slow.health = HealthCheck{{"CMD-SHELL", "echo checking; sleep 999"}, 0.01, 0.05, 0, 1};
  auto s = pod->AddService(slow, nullptr);
  ASSERT_TRUE(s.ok());
  Status sick = pod->WaitHealthy(nullptr);
  EXPECT_EQ(sick.code(), Code::kFailedPrecondition);
  EXPECT_NE(sick.message().find("service slow"), std::string::npos) << sick.ToString();
  EXPECT_NE(sick.message().find("timed out"), std::string::npos) << sick.ToString();
  // The check was killed; the service's main process was not (bounded by tries, not time).
  auto rt = engine->Runtime();
  auto box = (*rt)->Attach(s->id);
  ASSERT_TRUE(box.ok());
  auto [gone, ps] = Sh(**box,
                       "for i in $(seq 200); do ps -o pid,stat,args | grep -v ' Z ' | "
                       "grep -q '[s]leep 999' || break; sleep 0.05; done; ps -o pid,stat,args");
  EXPECT_EQ(ps.find("sleep 999"), std::string::npos) << ps;
  EXPECT_NE(ps.find("sleep 1000"), std::string::npos) << ps;
}

TEST_F(PodTest, RemoveLeavesNothingAndAnUnknownPodRemovesFine) {
  {
    auto engine = NewEngine();
    auto pod = Pod::Open(*engine, "p1");
    ASSERT_TRUE(pod.ok());
    ASSERT_TRUE(pod->AddJob(Busybox("job"), nullptr).ok());
    ASSERT_TRUE(pod->AddService(Counter(), nullptr).ok());
    EXPECT_EQ(PodSandboxes(*engine).size(), 2u);
  }
  auto engine = NewEngine();
  {
    auto pod = Pod::Open(*engine, "p1");
    ASSERT_TRUE(pod.ok());
    Status removed = pod->Remove();
    ASSERT_TRUE(removed.ok()) << removed.ToString();
  }
  EXPECT_TRUE(PodSandboxes(*engine).empty());
  auto left = ListDir(state_ + "/pods");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << (*left)[0];
  auto sandboxes = ListDir(state_ + "/sandboxes");
  EXPECT_TRUE(!sandboxes.ok() || sandboxes->empty());
  // The pod's network went with its last sandbox.
  EXPECT_FALSE(PathExists(state_ + "/networks/pod-p1"));

  auto unknown = Pod::Open(*engine, "never-made");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->Remove().ok());
  EXPECT_FALSE(Pod::Open(*engine, "../escape").ok());
}

TEST_F(PodTest, RunContainerRunsToTheEndWithThePodsVolumes) {
  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok());
  ContainerRequest step = Busybox("step");
  step.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  step.args = std::vector<std::string>{"echo made > /data/out; echo $WHO; exit 3"};
  step.mounts = {{"data", "/data", false}};
  runtime::ExecSpec exec;
  exec.env = {"WHO=step", "PATH=/bin:/usr/bin"};
  std::string out;
  exec.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
  auto code = pod->RunContainer(step, exec);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(out, "step\n");
  EXPECT_EQ(*ReadFile(state_ + "/pods/p1.volumes/data/out"), "made\n");
  EXPECT_TRUE(PodSandboxes(*engine).empty());
}

TEST_F(PodTest, ARegistryImageIsPulledWithTheRequestsCredentialsAlone) {
  auto server = testing::RegistryServer::Start({testing::RegistryAuth::kBasic});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string& password = (*server)->password();
  // Another state dir logs in and pushes; this one holds no credentials.
  std::string pusher = dir_.Sub("pusher");
  auto kiln = [&](std::vector<std::string> args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", pusher, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    if (!stdin_data.empty()) o.stdin_data = stdin_data;
    auto r = RunProcess(argv, o);
    return r.ok() ? r->exit_code : -1;
  };
  ASSERT_EQ(kiln({"image", "import", dir_.Sub("rootfs"), "busybox:1"}), 0);
  ASSERT_EQ(kiln({"login", "-u", (*server)->user(), "--password-stdin", (*server)->host()},
                 password + "\n"),
            0);
  std::string ref = (*server)->host() + "/team/bb:1";
  ASSERT_EQ(kiln({"push", "busybox:1", ref}), 0);

  auto engine = NewEngine();
  auto pod = Pod::Open(*engine, "p1");
  ASSERT_TRUE(pod.ok());
  ContainerRequest job = Busybox("job");
  job.image = ref;
  std::string said;
  auto log = [&](const std::string& l) { said += l + "\n"; };
  auto refused = pod->AddJob(job, log);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied) << refused.status().ToString();
  job.registry_username = (*server)->user();
  job.registry_password = password;
  job.registry_server = "quay.io";  // credentials for another registry are not sent here
  auto elsewhere = pod->AddJob(job, log);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.status().code(), Code::kPermissionDenied) << elsewhere.status().ToString();
  job.registry_server = "";  // the image's own registry
  auto pulled = pod->AddJob(job, log);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->image_ref, ref);
  EXPECT_EQ(said.find(password), std::string::npos);
  EXPECT_EQ(refused.status().ToString().find(password), std::string::npos);
  EXPECT_EQ(ReadFile(state_ + "/pods/p1.json")->find(password), std::string::npos);
  // Not kept for later pulls either: the engine's store has no credentials for the host.
  EXPECT_FALSE(PathExists(state_ + "/auth.json"));
}

}  // namespace
}  // namespace kiln::jobs
