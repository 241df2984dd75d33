// Issue 7, items 6 and 7, end to end: names that are not ASCII (UTF-8 and Latin-1) through
// import (dir, tarballs), a snapshot job, the producer's cache, a fresh unpack, export and
// re-import, judged by GNU tar; a rootfs tarball with a 3 GB file imported in a 1 GB memory
// cgroup; max_layer_unpacked from the config file.
#include <fcntl.h>
#include <unistd.h>

#include "base/fd.h"
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

const std::string kUtf8 = "caf\xc3\xa9.txt";
const std::string kLatin1 = "caf\xe9";

KilnResult Tool(const std::vector<std::string>& argv,
                std::optional<std::vector<std::string>> env = std::nullopt) {
  SubprocessOptions o;
  o.env = std::move(env);
  auto r = RunProcess(argv, o);
  EXPECT_TRUE(r.ok()) << argv[0] << ": " << r.status().ToString();
  return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
}

class SecurityTarE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    rootfs_ = dir_.Sub("rootfs");
    testing::MakeBusyboxRootfs(rootfs_);
  }
  // Runs one job on `image` (optionally snapshotting it as `snapshot`).
  KilnResult Job(const std::string& image, const std::string& script,
                 const std::string& snapshot = "", std::vector<std::string> extra = {}) {
    Workflow("t.yml", "on: push\njobs:\n  t:\n    runs-on: {image: '" + image + "', size: 2x8}\n" +
                          (snapshot.empty() ? "" : "    snapshot: " + snapshot + "\n") +
                          "    steps:\n      - run: |\n          " + script + "\n");
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Kiln(args);
  }
  // The names of every layer of an exported layout, as GNU tar lists them (bytes unquoted).
  std::string LayerListing(const std::string& layout) {
    std::string all;
    for (const auto& blob : ListDir(layout + "/blobs/sha256").value()) {
      auto r = Tool({"tar", "--quoting-style=literal", "-tzf", layout + "/blobs/sha256/" + blob});
      if (r.code == 0) all += r.out;
    }
    return all;
  }
  std::string rootfs_;
};

// Checks, inside a job, the two imported names and the ones the snapshot job made.
constexpr char kCheckNames[] =
    "test \"$(cat /names/$(printf 'caf\\303\\251.txt'))\" = utf8 && "
    "test \"$(cat /names/$(printf 'caf\\351'))\" = latin1";
constexpr char kCheckJobNames[] =
    "test \"$(cat /made/$(printf 'job-\\303\\251'))\" = u && test \"$(cat /made/$(printf "
    "'job-\\351'))\" = l && "
    "test -c /made/null && test ! -e /names/$(printf 'caf\\303\\251.txt')";

TEST_F(SecurityTarE2E, NonAsciiNamesSurviveImportSnapshotUnpackExportAndReimport) {
  ASSERT_TRUE(MakeDirs(rootfs_ + "/names").ok());
  ASSERT_TRUE(WriteFileAtomic(rootfs_ + "/names/" + kUtf8, "utf8").ok());
  ASSERT_TRUE(WriteFileAtomic(rootfs_ + "/names/" + kLatin1, "latin1").ok());
  auto imp = Kiln({"image", "import", rootfs_, "names:1"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  // Rootfs tarballs: GNU format (raw bytes in the header) and pax with UTF-8 path records.
  std::string gnu = dir_.Sub("gnu.tar"), pax = dir_.Sub("pax.tar");
  ASSERT_EQ(Tool({"tar", "-C", rootfs_, "-cf", gnu, "."}).code, 0);
  ASSERT_EQ(Tool({"tar", "--format=pax", "-C", rootfs_, "-cf", pax, "."},
                 std::vector<std::string>{"LANG=C.UTF-8", "PATH=/usr/bin:/bin"})
                .code,
            0);
  for (const auto& [file, ref] : {std::pair{gnu, "names:gnu"}, std::pair{pax, "names:pax"}}) {
    auto r = Kiln({"image", "import", file, ref});
    ASSERT_EQ(r.code, 0) << file << ": " << r.err;
    auto run = Job(ref, kCheckNames);
    EXPECT_EQ(run.code, 0) << ref << ": " << run.out << run.err;
  }

  // A snapshot job makes such names, a device and a whiteout.
  auto snap =
      Job("names:1",
          std::string(kCheckNames) +
              "\n          mkdir /made && cd /made && printf u > \"$(printf 'job-\\303\\251')\" && "
              "printf l > \"$(printf 'job-\\351')\" && mknod null c 1 3 && rm /names/$(printf "
              "'caf\\303\\251.txt')",
          "made");
  ASSERT_EQ(snap.code, 0) << snap.out << snap.err;
  auto cached = Job("made:latest", kCheckJobNames);  // the producer's cache: the upper dir adopted
  EXPECT_EQ(cached.code, 0) << cached.out << cached.err;
  ASSERT_TRUE(RemoveTree(state_ + "/layers").ok());
  auto fresh = Job("made:latest", kCheckJobNames);  // every layer unpacked afresh
  EXPECT_EQ(fresh.code, 0) << fresh.out << fresh.err;

  // Export, an independent reader, and back into another kiln.
  std::string layout = dir_.Sub("layout"), archive = dir_.Sub("made.tar");
  ASSERT_EQ(Kiln({"image", "export", "made:latest", layout}).code, 0);
  ASSERT_EQ(Kiln({"image", "export", "made:latest", archive}).code, 0);
  std::string listing = LayerListing(layout);
  for (const std::string& name :
       std::vector<std::string>{"names/" + kUtf8, "names/" + kLatin1, "made/job-\xc3\xa9",
                                "made/job-\xe9", "names/.wh." + kUtf8}) {
    EXPECT_NE(listing.find(name + "\n"), std::string::npos)
        << "GNU tar does not list " << name << " in\n"
        << listing;
  }
  testing::ScratchDir other{"/var/tmp"};
  state_ = other.Sub("state");
  auto back = Kiln({"image", "import", archive, "again:1"});
  ASSERT_EQ(back.code, 0) << back.err;
  auto again = Job("again:1", kCheckJobNames);
  EXPECT_EQ(again.code, 0) << again.out << again.err;
}

// Each file of a rootfs tarball used to be staged in a memfd: a 3 GB file took 3 GB of memory
// and was OOM-killed in a 1 GB cgroup. Now it streams (and, sparse, stays sparse).
TEST_F(SecurityTarE2E, RootfsTarballWithA3GBFileImportsInBoundedMemory) {
  std::string memcg = "/sys/fs/cgroup/memory";
  if (!IsDirectory(memcg)) GTEST_SKIP() << "needs the cgroup v1 memory controller";
  std::string big = rootfs_ + "/var/big.img", tar = dir_.Sub("big.tar");
  ASSERT_TRUE(MakeDirs(rootfs_ + "/var").ok());
  ASSERT_TRUE(WriteFileAtomic(big, "").ok());
  ASSERT_EQ(::truncate(big.c_str(), (int64_t{3} << 30) - 4), 0);
  {
    auto f = kiln::Open(big, O_WRONLY | O_APPEND);
    ASSERT_TRUE(f.ok() && kiln::WriteAll(f->get(), "end\n").ok());
  }
  ASSERT_EQ(Tool({"tar", "--sparse", "-C", rootfs_, "-cf", tar, "."}).code, 0);
  std::string cg = memcg + "/kiln-test-import-" + std::to_string(::getpid());
  ASSERT_TRUE(MakeDirs(cg).ok());
  {
    auto limit = kiln::Open(cg + "/memory.limit_in_bytes", O_WRONLY);
    ASSERT_TRUE(limit.ok()) << limit.status().ToString();
    ASSERT_TRUE(kiln::WriteAll(limit->get(), std::to_string(1 << 30)).ok());
  }
  auto r = Tool({"sh", "-c", "echo $$ > " + cg + "/cgroup.procs && exec \"$@\"", "sh",
                 testing::KilnBinary(), "--state-dir", state_, "image", "import", tar, "big:1"});
  int64_t peak = std::stoll(ReadFile(cg + "/memory.max_usage_in_bytes").value());
  ::rmdir(cg.c_str());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_LT(peak, 300 << 20) << "peak memory of the import";
  std::printf("import of a tarball with a 3 GiB file: peak memory %lld MB\n",
              static_cast<long long>(peak >> 20));
  auto run = Job("big:1",
                 "test \"$(stat -c %s /var/big.img)\" = 3221225472 && test \"$(du -k /var/big.img "
                 "| cut -f1)\" -lt 1024");
  EXPECT_EQ(run.code, 0) << run.out << run.err;
}

// A layer writing more than max_layer_unpacked fails clearly and leaves no half cache entry.
TEST_F(SecurityTarE2E, MaxLayerUnpackedFromTheConfigFile) {
  ASSERT_TRUE(WriteFileAtomic(rootfs_ + "/zeros", std::string(8 << 20, '\0')).ok());
  ASSERT_EQ(Kiln({"image", "import", rootfs_, "zeros:1"}).code, 0);
  std::string config = dir_.Sub("config.toml");
  ASSERT_TRUE(WriteFileAtomic(config, "max_layer_unpacked = \"4M\"\n").ok());
  auto r = Job("zeros:1", "true", "", {"--config", config});
  EXPECT_NE(r.code, 0);
  EXPECT_NE((r.out + r.err).find("unpacks to more than 4 MiB (max_layer_unpacked)"),
            std::string::npos)
      << r.out << r.err;
  for (const auto& name : ListDir(state_ + "/layers").value())
    ADD_FAILURE() << "left in the layer cache: " << name;
  ASSERT_TRUE(WriteFileAtomic(config, "max_layer_unpacked = \"64M\"\n").ok());
  auto ok = Job("zeros:1", "test -f /zeros", "", {"--config", config});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
}

}  // namespace
}  // namespace kiln::cli
