// `kiln hook` as GitHub's runner drives it: the reference's sample inputs, rewritten to a
// temporary runner layout with images mapped to a busybox image, through prepare_job →
// run_script_step → run_container_step (image, then Dockerfile) → cleanup_job.
#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cli/hook_util.h"

namespace kiln::cli {
namespace {

// What a job could leave behind on the host: links (veths, the bridge), mounts of the state dir.
struct HostTraces {
  std::set<std::string> links, mounts;
};

HostTraces Traces(const std::string& state) {
  HostTraces t;
  auto links = RunProcess({"ip", "-o", "link", "show"});
  if (links.ok()) {
    std::istringstream in(links->out);
    for (std::string line; std::getline(in, line);) {
      size_t a = line.find(": "), b = line.find_first_of(":@", a + 2);
      // "INDEX:NAME": a name another test reuses after this job's link went has a new index.
      if (a != std::string::npos && b != std::string::npos) {
        t.links.insert(line.substr(0, a) + ":" + line.substr(a + 2, b - a - 2));
      }
    }
  }
  std::ifstream mi("/proc/self/mountinfo");
  for (std::string line; std::getline(mi, line);) {
    if (line.find(state) != std::string::npos) t.mounts.insert(line);
  }
  return t;
}

// The network's bridge (from its record) and the links enslaved to it: this job's veths, as
// "INDEX:NAME". Other
// tests running at once add and remove links of their own, so the host's whole list is no
// measure of what this job left.
std::set<std::string> BridgeLinks(const std::string& net_dir) {
  std::set<std::string> out;
  auto rec = ReadFile(net_dir + "/network.json");
  auto j = rec.ok() ? ParseJson(*rec) : Result<Json>(rec.status());
  if (!j.ok()) return out;
  std::string bridge = j->value("bridge", "");
  if (bridge.empty()) return out;
  for (const char* what : {"dev", "master"}) {  // the bridge itself, then its veths
    auto links = RunProcess({"ip", "-o", "link", "show", what, bridge});
    if (!links.ok()) continue;
    std::istringstream in(links->out);
    for (std::string line; std::getline(in, line);) {
      size_t a = line.find(": "), b = line.find_first_of(":@", a + 2);
      if (a != std::string::npos && b != std::string::npos)
        out.insert(line.substr(0, a) + ":" + line.substr(a + 2, b - a - 2));  // as Traces
    }
  }
  return out;
}

std::vector<std::string> NewIn(const std::set<std::string>& after,
                               const std::set<std::string>& before) {
  std::vector<std::string> out;
  for (const auto& a : after) {
    if (!before.count(a)) out.push_back(a);
  }
  return out;
}

Json ScriptStep(const Json& state, const std::string& entry, std::vector<std::string> args) {
  return {{"command", "run_script_step"},
          {"responseFile", nullptr},
          {"state", state},
          {"args",
           {{"entryPoint", entry},
            {"entryPointArgs", args},
            {"environmentVariables", {{"NODE_ENV", "development"}}},
            {"prependPath", {"/foo/bar", "bar/foo"}},
            {"workingDirectory", "/__w/repo/repo"}}}};
}

class HookItest : public HookE2E {
 protected:
  // prepare-job.json with a service that answers HTTP on port 80 (busybox httpd) and a health
  // check, host ports picked by kiln (the sample's fixed 8080/8088 could be taken here).
  Json Prepare() {
    Json p = Sample("prepare-job.json");
    p["args"]["container"]["registry"]["password"] = "s3cr3t-pw";
    p["args"]["container"]["portMappings"] = {"8080"};
    Json& redis = p["args"]["services"][0];
    redis["entryPoint"] = "/bin/sh";
    redis["entryPointArgs"] = {"-c",
                               "mkdir -p /www && echo PONG > /www/index.html && "
                               "exec httpd -f -p 80 -h /www"};
    redis["portMappings"] = {"80"};
    redis["createOptions"] =
        "--cpus 1 --health-cmd 'wget -qO- http://127.0.0.1:80/' --health-interval 1s "
        "--health-retries 60";
    return p;
  }
};

TEST_F(HookItest, ThePhasesOfAJobAsTheRunnerCallsThem) {
  HostTraces before = Traces(state_);
  // prepare_job.
  auto prepared = Hook(Prepare());
  ASSERT_EQ(prepared.code, 0) << prepared.out << prepared.err;
  EXPECT_NE(prepared.err.find("docker.sock"), std::string::npos) << "no warning: " << prepared.err;
  auto text = ReadFile(work_ + "/_temp/response.json");
  ASSERT_TRUE(text.ok());
  auto response = ParseJson(*text);
  ASSERT_TRUE(response.ok()) << *text;
  const Json& r = *response;
  ASSERT_TRUE(r["state"]["network"].is_string());
  std::string network = r["state"]["network"];
  EXPECT_FALSE(network.empty());
  ASSERT_TRUE(r["state"]["container"].is_string());
  EXPECT_EQ(r["context"]["container"]["id"], r["state"]["container"]);
  EXPECT_EQ(r["context"]["container"]["network"], network);
  EXPECT_TRUE(r["context"]["container"]["ports"].contains("8080"));
  ASSERT_EQ(r["context"]["services"].size(), 1u);
  const Json& svc = r["context"]["services"][0];
  EXPECT_EQ(svc["contextName"], "redis");
  EXPECT_EQ(svc["network"], network);
  EXPECT_EQ(r["state"]["services"][0], svc["id"]);
  EXPECT_EQ(r["isAlpine"], false);
  ASSERT_TRUE(svc["ports"].contains("80")) << svc.dump();
  std::string host_port = svc["ports"]["80"];
  EXPECT_NE(host_port, "0");
  auto ls = ParseJson(Kiln({"sandbox", "ls", "--json"}).out);
  ASSERT_TRUE(ls.ok());
  EXPECT_EQ(ls->size(), 2u);
  // What the job holds on the host while it runs (so that the checks after cleanup can fail):
  // links (a veth per sandbox, the bridge), the network's dir with its address leases, mounts.
  HostTraces during = Traces(state_);
  EXPECT_GE(NewIn(during.links, before.links).size(), 3u);
  EXPECT_FALSE(NewIn(during.mounts, before.mounts).empty());
  std::string net_dir = state_ + "/networks/" + network;
  auto leases = ListDir(net_dir + "/ipam/" + network);
  ASSERT_TRUE(leases.ok()) << net_dir;
  EXPECT_GE(leases->size(), 2u);
  std::set<std::string> job_links = BridgeLinks(net_dir);
  EXPECT_GE(job_links.size(), 3u) << "the bridge and a veth per sandbox";

  // The published port answers on the host.
  auto wget = RunProcess({"/bin/busybox", "wget", "-qO-", "http://127.0.0.1:" + host_port + "/"});
  ASSERT_TRUE(wget.ok());
  EXPECT_EQ(wget->out, "PONG\n") << wget->err;

  // run_script_step: the sample itself (bash → sh: busybox has no bash).
  Json step = Sample("run-script-step.json");
  step["state"] = r["state"];
  step["args"]["entryPoint"] = "sh";
  auto hello = Hook(step);
  EXPECT_EQ(hello.code, 0) << hello.err;
  EXPECT_EQ(hello.out, "Hello World\n") << hello.err;
  // env, prependPath, working dir, a failing step's exit code.
  auto env = Hook(ScriptStep(r["state"], "sh",
                             {"-c",
                              "echo $NODE_ENV $CI $GITHUB_ACTIONS; echo $PATH; pwd; "
                              "echo to-stderr >&2; exit 3"}));
  EXPECT_EQ(env.code, 3) << env.err;
  EXPECT_EQ(env.out.substr(0, env.out.find('\n')), "development true true");
  EXPECT_NE(env.out.find("\n/foo/bar:bar/foo:/"), std::string::npos) << env.out;
  EXPECT_NE(env.out.find("\n/__w/repo/repo\n"), std::string::npos) << env.out;
  EXPECT_NE(env.err.find("to-stderr"), std::string::npos) << env.err;
  // The service by its contextName, from the job sandbox.
  auto svc_call = Hook(ScriptStep(r["state"], "wget", {"-qO-", "http://redis:80/"}));
  EXPECT_EQ(svc_call.code, 0) << svc_call.err;
  EXPECT_EQ(svc_call.out, "PONG\n");
  // The job's volume, for the container step to read.
  EXPECT_EQ(Hook(ScriptStep(r["state"], "sh", {"-c", "echo vol > /volume_mount/v"})).code, 0);

  // run_container_step from an image: the sample (bash → sh), then one that fails.
  Json cstep = Sample("run-container-step.json");
  cstep["state"] = r["state"];
  cstep["args"]["entryPoint"] = "sh";
  cstep["args"]["portMappings"] = Json::array();
  auto chello = Hook(cstep);
  EXPECT_EQ(chello.code, 0) << chello.err;
  EXPECT_EQ(chello.out, "Hello World\n") << chello.err;
  cstep["args"]["entryPointArgs"] = {"-c",
                                     "cat /volume_mount/v; echo $NODE_ENV; wget -qO- "
                                     "http://redis:80/; exit 7"};
  auto cfail = Hook(cstep);
  EXPECT_EQ(cfail.code, 7) << cfail.err;
  EXPECT_EQ(cfail.out, "vol\ndevelopment\nPONG\n") << cfail.err;

  // run_container_step from a Dockerfile (the reference builds with its dir as the context).
  ASSERT_TRUE(MakeDirs(work_ + "/repo/repo/step").ok());
  ASSERT_TRUE(WriteFileAtomic(work_ + "/repo/repo/step/Dockerfile",
                              "FROM busybox:1\nCOPY note /note\nRUN echo built >> /note\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(work_ + "/repo/repo/step/note", "copied\n").ok());
  cstep["args"]["image"] = nullptr;
  cstep["args"]["dockerfile"] = work_ + "/repo/repo/step/Dockerfile";
  cstep["args"]["entryPoint"] = "cat";
  cstep["args"]["entryPointArgs"] = {"/note"};
  auto built = Hook(cstep);
  EXPECT_EQ(built.code, 0) << built.err;
  EXPECT_EQ(built.out, "copied\nbuilt\n") << built.err;

  // cleanup_job: nothing remains.
  auto cleaned = Hook({{"command", "cleanup_job"},
                       {"responseFile", nullptr},
                       {"state", r["state"]},
                       {"args", Json::object()}});
  EXPECT_EQ(cleaned.code, 0) << cleaned.err;
  EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n");
  HostTraces after = Traces(state_);
  std::vector<std::string> left;
  for (const auto& link : job_links) {
    if (after.links.count(link) != 0) left.push_back(link);
  }
  EXPECT_EQ(left, std::vector<std::string>{}) << "the job's bridge and veths";
  EXPECT_FALSE(PathExists(net_dir)) << "the network's dir and its leases";
  EXPECT_EQ(NewIn(after.mounts, before.mounts), std::vector<std::string>{});
  EXPECT_FALSE(PathExists(state_ + "/hooks/gh-kiln-test.json"));
  // A step after the clean-up finds no job.
  EXPECT_NE(Hook(step).code, 0);
}

TEST_F(HookItest, APrepareAfterAKilledJobRemovesWhatItLeft) {
  through_shim_ = true;  // and every call through dist/kiln-hook.js, as the runner makes them
  ASSERT_EQ(Hook(Prepare()).code, 0);
  auto first = ParseJson(*ReadFile(work_ + "/_temp/response.json"));
  ASSERT_EQ(Hook(Prepare()).code, 0);  // no cleanup_job between: the runner was killed
  auto second = ParseJson(*ReadFile(work_ + "/_temp/response.json"));
  EXPECT_NE((*first)["state"]["container"], (*second)["state"]["container"]);
  auto ls = ParseJson(Kiln({"sandbox", "ls", "--json"}).out);
  EXPECT_EQ(ls->size(), 2u);
  EXPECT_EQ(Hook({{"command", "cleanup_job"}, {"args", Json::object()}}).code, 0);
  EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n");
}

TEST_F(HookItest, TheRunnersInterruptStopsTheStepAndTheJobLivesOn) {
  Json prepare = Prepare();
  prepare["args"].erase("services");
  ASSERT_EQ(Hook(prepare).code, 0);
  std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "hook", "-P",
                                   "node:22=busybox:1"};
  SubprocessOptions o;
  o.stdin_data = DumpJson(ScriptStep(Json::object(), "sh", {"-c", "echo started; sleep 100"}));
  o.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "RUNNER_NAME=kiln-test"};
  int pid = 0;
  o.on_start = [&](int p) { pid = p; };
  o.on_line = [&](const std::string& line, bool, bool) {
    if (line == "started") ::kill(pid, SIGINT);  // as the runner cancels the job
  };
  auto r = RunProcess(argv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 128 + SIGINT);
  auto next = Hook(ScriptStep(Json::object(), "echo", {"still", "here"}));
  EXPECT_EQ(next.code, 0) << next.err;
  EXPECT_EQ(next.out, "still here\n");
}

TEST_F(HookItest, TheRunnersInterruptStopsAContainerStepAndRemovesItsSandbox) {
  Json prepare = Prepare();
  prepare["args"].erase("services");
  ASSERT_EQ(Hook(prepare).code, 0);
  Json cstep = Sample("run-container-step.json");
  cstep["state"] = Json::object();
  cstep["args"]["entryPoint"] = "sh";
  cstep["args"]["entryPointArgs"] = {"-c", "echo started; sleep 100"};
  cstep["args"]["portMappings"] = Json::array();
  std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "hook", "-P",
                                   "node:22=busybox:1"};
  SubprocessOptions o;
  o.stdin_data = DumpJson(cstep);
  o.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "RUNNER_NAME=kiln-test"};
  int pid = 0;
  o.on_start = [&](int p) { pid = p; };
  o.on_line = [&](const std::string& line, bool, bool) {
    if (line == "started") ::kill(pid, SIGINT);  // as the runner cancels the job
  };
  auto r = RunProcess(argv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 128 + SIGINT) << r->err;
  // The step's sandbox is gone; the job sandbox lives on.
  auto ls = ParseJson(Kiln({"sandbox", "ls", "--json"}).out);
  ASSERT_TRUE(ls.ok());
  EXPECT_EQ(ls->size(), 1u) << DumpJson(*ls);
  EXPECT_EQ(Hook({{"command", "cleanup_job"}, {"args", Json::object()}}).code, 0);
}

TEST_F(HookItest, AContainerStepWithoutAPreparedPodLeavesNothing) {
  // A docker action in a job without `container:`: no prepare_job made a pod.
  Json cstep = Sample("run-container-step.json");
  cstep["state"] = Json::object();
  cstep["args"]["entryPoint"] = "sh";
  cstep["args"]["entryPointArgs"] = {"-c", "echo ran"};
  cstep["args"]["portMappings"] = Json::array();
  auto r = Hook(cstep);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n");
  auto pods = ListDir(state_ + "/pods");
  EXPECT_TRUE(!pods.ok() || pods->empty()) << (pods.ok() ? (*pods)[0] : "");
  auto networks = ListDir(state_ + "/networks");
  EXPECT_TRUE(!networks.ok() || networks->empty()) << (networks.ok() ? (*networks)[0] : "");
}

// The command lines of every process on the host that hold `needle`.
std::vector<std::string> ArgvsHolding(const std::string& needle) {
  std::vector<std::string> hits;
  auto pids = ListDir("/proc");
  for (const auto& pid : pids.ok() ? *pids : std::vector<std::string>{}) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmdline = ReadFile("/proc/" + pid + "/cmdline");
    if (cmdline.ok() && cmdline->find(needle) != std::string::npos) hits.push_back(pid);
  }
  return hits;
}

TEST_F(HookItest, EnvironmentValuesAreInNoArgv) {
  Json prepare = Prepare();
  prepare["args"].erase("services");
  prepare["args"]["container"]["environmentVariables"]["JOB_SECRET"] = "job-s3cret-value";
  ASSERT_EQ(Hook(prepare).code, 0);
  Json step = ScriptStep(Json::object(), "sh",
                         {"-c",
                          "echo $JOB_SECRET $STEP_SECRET | wc -c; echo started; "
                          "while [ ! -e /__w/done ]; do sleep 0.05; done"});
  step["args"]["environmentVariables"]["STEP_SECRET"] = "step-s3cret-value";
  std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "hook", "-P",
                                   "node:22=busybox:1"};
  SubprocessOptions o;
  o.stdin_data = DumpJson(step);
  o.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "RUNNER_NAME=kiln-test"};
  std::vector<std::string> job_hits, step_hits;
  std::string out;
  o.on_line = [&](const std::string& line, bool, bool) {
    out += line + "\n";
    if (line != "started") return;
    // The step runs, with both values in its environment: no process shows them in its argv.
    job_hits = ArgvsHolding("job-s3cret-value");
    step_hits = ArgvsHolding("step-s3cret-value");
    (void)WriteFileAtomic(work_ + "/done", "");
  };
  auto r = RunProcess(argv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(out, "35\nstarted\n");  // both values reached the step ("job-… step-…\n")
  EXPECT_EQ(job_hits, std::vector<std::string>{});
  EXPECT_EQ(step_hits, std::vector<std::string>{});
}

TEST_F(HookItest, IsAlpineSaysWhatTheJobImageIs) {
  std::string rootfs = dir_.Sub("alpine");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_TRUE(
      WriteFileAtomic(rootfs + "/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\n").ok());
  ASSERT_EQ(Kiln({"-q", "image", "import", rootfs, "alpine-like:1"}).code, 0);
  // The image map from a file this time (KILN_HOOK_IMAGE_MAP), as a runner's .env sets it.
  map_.clear();
  std::string map_file = dir_.Sub("images.map");
  ASSERT_TRUE(
      WriteFileAtomic(map_file, "# workflow name = kiln image\n\nnode:22 = alpine-like:1\n").ok());
  Json prepare = Prepare();
  prepare["args"].erase("services");
  auto prepared = Hook(prepare, {"KILN_HOOK_IMAGE_MAP=" + map_file});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  auto r = ParseJson(*ReadFile(work_ + "/_temp/response.json"));
  EXPECT_EQ((*r)["isAlpine"], true);
  EXPECT_FALSE((*r)["context"].contains("services"));
}

TEST_F(HookItest, AStepsSnapshotIsTheImageOfTheNextJob) {
  Json prepare = Prepare();
  prepare["args"].erase("services");
  ASSERT_EQ(Hook(prepare).code, 0);
  auto snap = Hook(ScriptStep(Json::object(), "sh",
                              {"-c", "echo made-in-job-1 > /made && kiln-snapshot toolbox"}));
  EXPECT_EQ(snap.code, 0) << snap.out << snap.err;
  EXPECT_NE(snap.out.find("toolbox:1.0.0"), std::string::npos) << snap.out;
  // A capture that cannot be made fails the step.
  auto bad = Hook(ScriptStep(Json::object(), "kiln-snapshot", {"Not A Name"}));
  EXPECT_NE(bad.code, 0) << bad.out;
  ASSERT_EQ(Hook({{"command", "cleanup_job"}}).code, 0);
  // The next job of the runner names the new version (through the image map, as a workflow's
  // `container: node:22` would) and starts from it.
  map_ = {"-P", "node:22=toolbox:latest"};
  ASSERT_EQ(Hook(prepare).code, 0);
  auto r = ParseJson(*ReadFile(work_ + "/_temp/response.json"));
  auto made = Hook(ScriptStep((*r)["state"], "cat", {"/made"}));
  EXPECT_EQ(made.code, 0) << made.err;
  EXPECT_EQ(made.out, "made-in-job-1\n");
}

TEST_F(HookItest, BadInputFailsClearlyAndLeavesNothing) {
  struct Case {
    std::string input, named;
  };
  Json no_image = Prepare();
  no_image["args"]["services"][0].erase("image");
  Json bad_option = Prepare();
  bad_option["args"]["services"][0]["createOptions"] = "--privileged";
  Json unwritable = Prepare();
  unwritable["responseFile"] = dir_.Sub("no/such/dir/response.json");
  // A responseFile that cannot be written once everything runs (a directory is in its place):
  // prepare_job removes what it made.
  Json is_dir = Prepare();
  is_dir["responseFile"] = work_ + "/_temp";
  Json missing_image = Prepare();
  // A registry on loopback that does not answer (tests reach no other network).
  missing_image["args"]["container"]["image"] = "127.0.0.1:1/no-such-image:1";
  missing_image["args"]["container"]["registry"]["serverUrl"] = "127.0.0.1:1";
  for (const Case& c : std::vector<Case>{
           {"{\"command\": \"prepare_job\", ", "hook input"},
           {"{\"command\": \"start_job\", \"args\": {}}", "unknown command 'start_job'"},
           {"{\"command\": \"run_script_step\", \"args\": {\"entryPointArgs\": []}}", "entryPoint"},
           {DumpJson(no_image), "missing field image"},
           {DumpJson(bad_option), "--privileged"},
           {DumpJson(unwritable), "response"},
           {DumpJson(is_dir), "write the response file"},
           {DumpJson(missing_image), "127.0.0.1:1/no-such-image:1"}}) {
    auto r = HookText(c.input + "\n");
    EXPECT_NE(r.code, 0) << c.input;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << c.input << "\n" << r.err;
    EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << "the registry password: " << r.err;
    EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n") << c.input;
  }
  // A bad image map is bad input too, named by file and line.
  std::string map_file = dir_.Sub("bad.map");
  ASSERT_TRUE(WriteFileAtomic(map_file, "node:22=busybox:1\nredis\n").ok());
  map_.clear();
  auto bad_map = Hook(Prepare(), {"KILN_HOOK_IMAGE_MAP=" + map_file});
  EXPECT_EQ(bad_map.code, 2);
  EXPECT_NE(bad_map.err.find(map_file + ":2: not NAME=IMAGE"), std::string::npos) << bad_map.err;
  EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n");
}

}  // namespace
}  // namespace kiln::cli
