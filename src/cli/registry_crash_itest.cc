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
  // The tag is absent, or its manifest and every blob the manifest names are in the registry.
  void ExpectTagWhole(const std::string& base_url, const std::string& repo,
                      const std::string& tag) {
    testing::CurlClient curl;
    auto m =
        curl.Do("GET", base_url + "/v2/" + repo + "/manifests/" + tag, nullptr, {kManifestTypes});
    if (m.status == 404) return;
    ASSERT_EQ(m.status, 200) << m.headers << m.body;
    auto manifest = ParseJson(m.body);
    ASSERT_TRUE(manifest.ok()) << m.body;
    std::vector<Json> blobs;
    if (manifest->contains("config")) blobs.push_back((*manifest)["config"]);
    for (const auto& l : manifest->value("layers", Json::array())) blobs.push_back(l);
    for (const auto& child : manifest->value("manifests", Json::array())) {
      ExpectTagWhole(base_url, repo, child["digest"].get<std::string>());
    }
    for (const auto& b : blobs) {
      std::string digest = b["digest"];
      auto head = curl.Head(base_url + "/v2/" + repo + "/blobs/" + digest);
      EXPECT_EQ(head.status, 200) << repo << ":" << tag << " names missing blob " << digest;
      EXPECT_EQ(head.Header("Content-Length"), std::to_string(b["size"].get<int64_t>()));
    }
  }

  // Every name in STATE/oci/index.json points at a whole image, checked without kiln; and every
  // image kiln lists exports.
  void ExpectStoreWhole() {
    std::string oci = state_ + "/oci";
    if (PathExists(oci + "/index.json")) {
      auto index = ParseJson(*ReadFile(oci + "/index.json"));
      ASSERT_TRUE(index.ok());
      for (const auto& d : (*index)["manifests"]) ExpectBlobWhole(oci, d, true);
    }
    auto ls = Kiln({"images", "--json"});
    ASSERT_EQ(ls.code, 0) << ls.err;
    auto rows = ParseJson(ls.out);
    ASSERT_TRUE(rows.ok()) << ls.out;
    int n = 0;
    for (const auto& row : *rows) {
      std::string name = row["name"];
      auto out = Kiln({"image", "export", name, dir_.Sub("export-" + std::to_string(n++))});
      EXPECT_EQ(out.code, 0) << name << " is listed but not whole: " << out.err;
    }
  }

  void ExpectBlobWhole(const std::string& oci, const Json& descriptor, bool is_manifest) {
    std::string digest = descriptor["digest"];
    auto data = ReadFile(oci + "/blobs/sha256/" + digest.substr(7));
    ASSERT_TRUE(data.ok()) << "the store names missing blob " << digest;
    EXPECT_EQ("sha256:" + Sha256::Hex(*data), digest);
    EXPECT_EQ(static_cast<int64_t>(data->size()), descriptor["size"].get<int64_t>());
    if (!is_manifest) return;
    auto m = ParseJson(*data);
    ASSERT_TRUE(m.ok());
    if (m->contains("config")) ExpectBlobWhole(oci, (*m)["config"], false);
    for (const auto& l : m->value("layers", Json::array())) ExpectBlobWhole(oci, l, false);
    for (const auto& c : m->value("manifests", Json::array())) ExpectBlobWhole(oci, c, true);
  }

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
    ExpectTagWhole(reg->url(), "team/crash", "latest");
  }
  EXPECT_GT(killed, 0);
  auto last = Kiln({"push", "crash:" + std::to_string(kRounds), ref, "--json"});
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(SkopeoDigest(ref), ResultJson(last).value("digest", ""));
  ExpectTagWhole(reg->url(), "team/crash", "latest");
  ExpectStoreWhole();
}

TEST_F(RegistryCrash, KilledPullsNeverLeaveAHalfImage) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  std::string layout = dir_.Sub("layout");
  ASSERT_TRUE(
      testing::WriteOciLayout(layout, "1",
                              {testing::BusyboxLayer(), testing::RandomLayer("a", 2, kFileBytes, 1),
                               testing::RandomLayer("b", 2, kFileBytes, 2),
                               testing::RandomLayer("c", 2, kFileBytes, 3)})
          .ok());
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
    ExpectStoreWhole();
    // A finished pull is undone so that the next round downloads again; a killed one is left
    // for the next round to go on from.
    if (!was_killed) {
      ASSERT_EQ(Kiln({"image", "rm", ref}).code, 0);
    }
  }
  EXPECT_GT(killed, 0);
  auto last = Kiln({"pull", ref, "--json"});
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(ResultJson(last)["digest"], digest);
  ExpectStoreWhole();
  auto ingest = ListDir(state_ + "/oci/ingest");
  if (ingest.ok()) {
    EXPECT_TRUE(ingest->empty()) << ingest->size() << " partial blobs left";
  }
  Workflow("big.yml",
           "on: push\njobs:\n  a:\n    runs-on: big\n    steps:\n"
           "      - run: test -s /a/f1 && test -s /c/f0 && echo whole\n");
  auto run = Kiln({"run", "-P", "big=" + ref});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("whole"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace kiln::cli
