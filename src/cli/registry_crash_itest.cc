// Crash safety of push and pull: kill -9 kiln at random moments (a seeded RNG picks them), in a
// loop. After every kill the registry shows no tag whose blobs are missing (the manifest is
// fetched by tag and each blob HEADed), and the local store holds no half image: every name in
// STATE/oci/index.json points at a manifest whose blobs are all present with their digests, and
// every image `kiln images` lists exports (which verifies each blob).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <random>
#include <thread>

#include "cli/registry_e2e_util.h"
#include "testing/curl_client.h"

namespace kiln::cli {
namespace {

constexpr const char* kManifestTypes =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

pid_t SpawnQuiet(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

// Runs argv and SIGKILLs it after `delay`; true when it was killed (not finished before).
bool RunAndKill(const std::vector<std::string>& argv, std::chrono::microseconds delay) {
  pid_t pid = SpawnQuiet(argv);
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFSIGNALED(st);
}

class RegistryCrash : public RegistryE2E {
 protected:
  // What is wrong with `repo`:`tag` in the registry: nothing when the tag is absent, or when its
  // manifest and every blob the manifest names are there (each HEADed, with its size).
  std::vector<std::string> TagProblems(const std::string& base_url, const std::string& repo,
                                       const std::string& tag) {
    testing::CurlClient curl;
    auto m =
        curl.Do("GET", base_url + "/v2/" + repo + "/manifests/" + tag, nullptr, {kManifestTypes});
    if (m.status == 404) return {};
    if (m.status != 200) return {repo + ":" + tag + ": manifest HTTP " + std::to_string(m.status)};
    auto manifest = ParseJson(m.body);
    if (!manifest.ok()) return {repo + ":" + tag + ": manifest is not JSON"};
    std::vector<std::string> problems;
    std::vector<Json> blobs;
    if (manifest->contains("config")) blobs.push_back((*manifest)["config"]);
    for (const auto& l : manifest->value("layers", Json::array())) blobs.push_back(l);
    for (const auto& child : manifest->value("manifests", Json::array())) {
      for (auto& p : TagProblems(base_url, repo, child["digest"].get<std::string>())) {
        problems.push_back(p);
      }
    }
    for (const auto& b : blobs) {
      std::string digest = b["digest"];
      auto head = curl.Head(base_url + "/v2/" + repo + "/blobs/" + digest);
      if (head.status != 200 ||
          head.Header("Content-Length") != std::to_string(b["size"].get<int64_t>())) {
        problems.push_back(repo + ":" + tag + " names missing blob " + digest + " (HTTP " +
                           std::to_string(head.status) + ")");
      }
    }
    return problems;
  }

  // What is half in the local store: every name in STATE/oci/index.json must point at a whole
  // image (checked here without kiln: each blob present with its digest and size), and every
  // image `kiln images` lists must export (kiln verifies each blob).
  std::vector<std::string> StoreProblems() {
    std::vector<std::string> problems;
    std::string oci = state_ + "/oci";
    if (PathExists(oci + "/index.json")) {
      auto index = ParseJson(*ReadFile(oci + "/index.json"));
      if (!index.ok()) return {"index.json is not JSON"};
      for (const auto& d : (*index)["manifests"]) BlobProblems(oci, d, true, problems);
    }
    auto ls = Kiln({"images", "--json"});
    auto rows = ParseJson(ls.out);
    if (ls.code != 0 || !rows.ok()) return {"kiln images: " + ls.err};
    for (const auto& row : *rows) {
      std::string name = row["name"];
      auto out = Kiln({"image", "export", name, dir_.Sub("export-" + std::to_string(exports_++))});
      if (out.code != 0) problems.push_back(name + " is listed but does not export: " + out.err);
    }
    return problems;
  }

  void BlobProblems(const std::string& oci, const Json& descriptor, bool is_manifest,
                    std::vector<std::string>& problems) {
    std::string digest = descriptor["digest"];
    auto data = ReadFile(oci + "/blobs/sha256/" + digest.substr(7));
    if (!data.ok() || "sha256:" + Sha256::Hex(*data) != digest ||
        static_cast<int64_t>(data->size()) != descriptor["size"].get<int64_t>()) {
      problems.push_back("the store names a missing or damaged blob " + digest);
      return;
    }
    if (!is_manifest) return;
    auto m = ParseJson(*data);
    if (!m.ok()) {
      problems.push_back("manifest " + digest + " is not JSON");
      return;
    }
    if (m->contains("config")) BlobProblems(oci, (*m)["config"], false, problems);
    for (const auto& l : m->value("layers", Json::array())) BlobProblems(oci, l, false, problems);
    for (const auto& c : m->value("manifests", Json::array())) BlobProblems(oci, c, true, problems);
  }

  static std::string Join(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
  }

  int exports_ = 0;
  std::vector<std::string> KilnArgv(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  static constexpr int kRounds = 8;
  static constexpr size_t kFileBytes = 3 * 1024 * 1024;  // 2 random layers of 2 files: 12 MB.
};

TEST_F(RegistryCrash, KilledPushesNeverLeaveATagWithMissingBlobs) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  std::string ref = reg->host() + "/team/crash:latest";
  ImportLayered("crash:0", 500, kFileBytes);
  auto t0 = std::chrono::steady_clock::now();
  auto first = Kiln({"push", "crash:0", ref});
  ASSERT_EQ(first.code, 0) << first.err;
  auto full =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

  std::mt19937 rng(9);
  int killed = 0;
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string local = "crash:" + std::to_string(round);
    ImportLayered(local, 500 + round, kFileBytes);  // New blobs every round.
    auto delay = std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(0, full.count() * 3 / 2)(rng));
    killed += RunAndKill(KilnArgv({"push", local, ref}), delay) ? 1 : 0;
    auto problems = TagProblems(reg->url(), "team/crash", "latest");
    EXPECT_TRUE(problems.empty()) << Join(problems);
  }
  std::printf("push: %d of %d killed\n", killed, kRounds);
  EXPECT_GT(killed, 0);
  auto last = Kiln({"push", "crash:" + std::to_string(kRounds), ref, "--json"});
  ASSERT_EQ(last.code, 0) << last.err;
  std::string digest = ResultJson(last).value("digest", "");
  EXPECT_EQ(SkopeoDigest(ref), digest);
  EXPECT_TRUE(TagProblems(reg->url(), "team/crash", "latest").empty());
  EXPECT_TRUE(StoreProblems().empty()) << Join(StoreProblems());

  // The check can fail: with one layer's data gone from the registry's storage, it says so.
  auto manifest =
      ParseJson(Tool({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref}).out);
  ASSERT_TRUE(manifest.ok());
  std::string hex = (*manifest)["layers"][1]["digest"].get<std::string>().substr(7);
  ASSERT_TRUE(RemoveTree(reg->data_dir() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) +
                         "/" + hex)
                  .ok());
  EXPECT_EQ(TagProblems(reg->url(), "team/crash", "latest").size(), 1u);
}

TEST_F(RegistryCrash, KilledPullsNeverLeaveAHalfImage) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  std::string layout = dir_.Sub("layout");
  std::vector<std::string> layers = {testing::BusyboxLayer()};
  std::string expected = dir_.Sub("expected");
  ASSERT_TRUE(MakeDirs(expected).ok());
  for (const char* d : {"a", "b", "c"}) {
    layers.push_back(testing::RandomLayer(d, 2, kFileBytes, d[0]));
    ASSERT_TRUE(WriteFileAtomic(dir_.Sub("layer.tar"), layers.back()).ok());
    ASSERT_EQ(Tool({"tar", "-C", expected, "-xf", dir_.Sub("layer.tar")}).code, 0);
  }
  ASSERT_TRUE(testing::WriteOciLayout(layout, "1", layers).ok());
  const std::string files = "a/f0 a/f1 b/f0 b/f1 c/f0 c/f1";
  SubprocessOptions in_expected;
  in_expected.cwd = expected;
  auto sums = RunProcess({"sh", "-c", "sha256sum " + files}, in_expected);
  ASSERT_TRUE(sums.ok() && sums->exit_code == 0);
  std::string ref = reg->host() + "/team/big:1";
  auto copy = Tool({"skopeo", "copy", "-q", "--dest-tls-verify=false", "oci:" + layout + ":1",
                    "docker://" + ref});
  ASSERT_EQ(copy.code, 0) << copy.err;
  std::string digest = SkopeoDigest(ref);

  auto t0 = std::chrono::steady_clock::now();
  auto first = Kiln({"pull", ref});
  ASSERT_EQ(first.code, 0) << first.err;
  auto full =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(Kiln({"image", "rm", ref}).code, 0);

  std::mt19937 rng(17);
  int killed = 0;
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto delay = std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(0, full.count() * 3 / 2)(rng));
    bool was_killed = RunAndKill(KilnArgv({"pull", ref}), delay);
    killed += was_killed ? 1 : 0;
    auto problems = StoreProblems();
    EXPECT_TRUE(problems.empty()) << Join(problems);
    // A finished pull is undone so that the next round downloads again; a killed one is left
    // for the next round to go on from.
    if (!was_killed) {
      ASSERT_EQ(Kiln({"image", "rm", ref}).code, 0);
    }
  }
  std::printf("pull: %d of %d killed\n", killed, kRounds);
  EXPECT_GT(killed, 0);
  auto last = Kiln({"pull", ref, "--json"});
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(ResultJson(last)["digest"], digest);
  EXPECT_TRUE(StoreProblems().empty()) << Join(StoreProblems());
  auto ingest = ListDir(state_ + "/oci/ingest");
  if (ingest.ok()) {
    EXPECT_TRUE(ingest->empty()) << ingest->size() << " partial blobs left";
  }
  // Every file of every layer is whole in the job's rootfs (the layer cache kept no half layer
  // from a killed unpack).
  Workflow("big.yml",
           "on: push\njobs:\n  a:\n    runs-on: big\n    steps:\n"
           "      - run: cd / && sha256sum " +
               files + "\n");
  auto run = Kiln({"run", "-P", "big=" + ref});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  size_t start = 0;
  while (start < sums->out.size()) {
    size_t nl = sums->out.find('\n', start);
    std::string line = sums->out.substr(start, nl - start);
    start = nl + 1;
    EXPECT_NE(run.out.find(line), std::string::npos) << line << " not in:\n" << run.out;
  }

  // The check can fail: with a layer of the pulled image gone from the store, it says so.
  auto manifest = ParseJson(*ReadFile(state_ + "/oci/blobs/sha256/" + digest.substr(7)));
  ASSERT_TRUE(manifest.ok());
  std::string layer = (*manifest)["layers"][2]["digest"];
  ASSERT_EQ(::unlink((state_ + "/oci/blobs/sha256/" + layer.substr(7)).c_str()), 0);
  EXPECT_FALSE(StoreProblems().empty());
}

}  // namespace
}  // namespace kiln::cli
