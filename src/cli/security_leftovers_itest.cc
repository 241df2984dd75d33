// Attacks on what kiln leaves behind (issue 7, item 8): kill -9 in the middle of a blob ingest
// or of a job, and imports that fail half way. Afterwards nothing is left: no partial blob in
// oci/ingest, no run dir (with a step script holding a secret), no blob the failed import
// added. A live import's partial blob survives another kiln's sweep.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <set>
#include <thread>

#include "base/fd.h"
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class SecurityLeftovers : public KilnE2E {
 protected:
  KilnResult KilnIn(const std::string& state, std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = ws_;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  // Starts kiln in the background (stdout and stderr to a file in the scratch dir).
  pid_t Spawn(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string log = dir_.Sub("spawned.log");
    pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(out, 1);
      ::dup2(out, 2);
      if (::chdir(ws_.c_str()) != 0) ::_exit(126);
      ::execv(a[0], a.data());
      ::_exit(127);
    }
    return pid;
  }
  // True when `pid` has exited (it is not reaped: waitpid still gets its status).
  static bool Exited(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid;
  }
  // Waits (no deadline: ctest's timeout is the limit) until `ready` holds; false when `pid`
  // exited first.
  static bool WaitFor(pid_t pid, const std::function<bool()>& ready) {
    while (!ready()) {
      if (Exited(pid)) return false;
      ::usleep(5000);
    }
    return true;
  }
  static void KillHard(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  static std::vector<std::string> Entries(const std::string& dir) {
    auto names = ListDir(dir);
    return names.ok() ? *names : std::vector<std::string>{};
  }
  std::set<std::string> Blobs() {
    auto names = Entries(state_ + "/oci/blobs/sha256");
    return {names.begin(), names.end()};
  }
  // An oci-archive of a busybox image with an 8 MiB incompressible file, made by another
  // state dir (so this test's store has none of its blobs).
  std::string MakeArchive() {
    std::string rootfs = dir_.Sub("rootfs");
    testing::MakeBusyboxRootfs(rootfs);
    std::mt19937 rng(7);
    std::string big(8 << 20, '\0');
    for (auto& c : big) c = static_cast<char>(rng());
    EXPECT_TRUE(WriteFileAtomic(rootfs + "/big", big).ok());
    std::string other = dir_.Sub("other-state"), archive = dir_.Sub("image.tar");
    auto imported = KilnIn(other, {"image", "import", rootfs, "bb"});
    EXPECT_EQ(imported.code, 0) << imported.err;
    auto exported = KilnIn(other, {"image", "export", "bb", archive, "--format", "oci-archive"});
    EXPECT_EQ(exported.code, 0) << exported.err;
    return archive;
  }
  // Starts `kiln image import oci-archive:FIFO name` and writes the first half of `archive`
  // into the FIFO, then waits until the import has a partial layer blob in oci/ingest. Returns the
  // import's pid; `fifo_fd` stays open (closing it ends the stream).
  pid_t StartImportFedHalf(const std::string& archive, const std::string& name, UniqueFd& fifo_fd,
                           std::string& rest) {
    std::string fifo = dir_.Sub("feed.fifo");
    ::unlink(fifo.c_str());
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto bytes = ReadFile(archive);
    EXPECT_TRUE(bytes.ok());
    // O_RDWR never blocks on a FIFO; writes are non-blocking so a dead reader cannot hang us.
    auto fd = Open(fifo, O_RDWR | O_NONBLOCK);
    EXPECT_TRUE(fd.ok());
    fifo_fd = std::move(*fd);
    pid_t pid = Spawn({"image", "import", "oci-archive:" + fifo, name});
    std::string half = bytes->substr(0, bytes->size() / 2);
    rest = bytes->substr(half.size());
    EXPECT_TRUE(Feed(pid, fifo_fd.get(), half));
    // The layer's partial blob, 1 MiB in (the config's comes and goes before it): from there
    // the import waits for the rest, which only this test can give it.
    EXPECT_TRUE(WaitFor(pid, [&] {
      for (const auto& n : Entries(state_ + "/oci/ingest")) {
        struct stat st;
        if (::stat((state_ + "/oci/ingest/" + n).c_str(), &st) == 0 && st.st_size >= (1 << 20))
          return true;
      }
      return false;
    })) << *ReadFile(dir_.Sub("spawned.log"));
    return pid;
  }
  static bool Feed(pid_t pid, int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (Exited(pid)) {
        return false;
      } else {
        ::usleep(1000);
      }
    }
    return true;
  }
};

// kill -9 while a blob streams in: the partial blob is gone after the next kiln start, and
// `kiln image prune` removes (and reports) it too. Before the fix only files older than an
// hour were swept, so every kill left its partial blob for good (975 MB after 18 kills).
TEST_F(SecurityLeftovers, KilledIngestLeavesNoPartialBlob) {
  std::string archive = MakeArchive();
  UniqueFd fifo;
  std::string rest;
  pid_t pid = StartImportFedHalf(archive, "victim", fifo, rest);
  KillHard(pid);
  ASSERT_FALSE(Entries(state_ + "/oci/ingest").empty()) << "the kill left no partial blob to sweep";
  auto ls = Kiln({"image", "ls"});  // any command that opens the store
  EXPECT_EQ(ls.code, 0) << ls.err;
  EXPECT_TRUE(Entries(state_ + "/oci/ingest").empty());
  EXPECT_NE(ls.err.find("removed 1 partial blob(s)"), std::string::npos) << ls.err;

  pid = StartImportFedHalf(archive, "victim", fifo, rest);
  KillHard(pid);
  ASSERT_FALSE(Entries(state_ + "/oci/ingest").empty());
  auto prune = Kiln({"image", "prune"});
  EXPECT_EQ(prune.code, 0) << prune.err;
  EXPECT_NE(prune.out.find("removed 1 partial blob(s)"), std::string::npos) << prune.out;
  EXPECT_TRUE(Entries(state_ + "/oci/ingest").empty());
}

// Another kiln's sweep (here `kiln image prune`) while an import streams in must not take
// the live import's partial blob: the import completes.
TEST_F(SecurityLeftovers, PruneSparesALiveImport) {
  std::string archive = MakeArchive();
  UniqueFd fifo;
  std::string rest;
  pid_t pid = StartImportFedHalf(archive, "live", fifo, rest);
  auto before = Entries(state_ + "/oci/ingest");
  auto prune = Kiln({"image", "prune"});
  EXPECT_EQ(prune.code, 0) << prune.err;
  EXPECT_NE(prune.out.find("removed 0 partial blob(s)"), std::string::npos) << prune.out;
  EXPECT_EQ(Entries(state_ + "/oci/ingest"), before);
  ASSERT_TRUE(Feed(pid, fifo.get(), rest));
  fifo.reset();  // end of stream
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << *ReadFile(dir_.Sub("spawned.log"));
  EXPECT_EQ(Kiln({"image", "inspect", "live"}).code, 0);
}

// kill -9 while a step sleeps: its job's run dir, with the step script that holds an
// interpolated secret, is gone after the next kiln start (`kiln run`) or `kiln image prune`.
TEST_F(SecurityLeftovers, KilledRunLeavesNoRunDirOrSecret) {
  std::string rootfs = dir_.Sub("bb");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_EQ(Kiln({"image", "import", rootfs, "bb"}).code, 0);
  const std::string secret = "s3cr3t-L3ft0ver-9f2c";
  Workflow(
      "w.yml",
      "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    steps:\n"
      "      - shell: sh\n        run: |\n          echo \"${{ secrets.TOKEN }}\" > /dev/null\n"
      "          touch \"$GITHUB_WORKSPACE/started\"; sleep 300\n");
  for (std::string next : {"run", "prune"}) {
    ::unlink((ws_ + "/started").c_str());
    pid_t pid = Spawn({"run", "--bind", "--secret", "TOKEN=" + secret});
    ASSERT_TRUE(WaitFor(pid, [&] { return PathExists(ws_ + "/started"); }))
        << *ReadFile(dir_.Sub("spawned.log"));
    KillHard(pid);
    ASSERT_FALSE(Entries(state_ + "/runs").empty()) << "the kill left no run dir to sweep";
    if (next == "run") {
      Workflow("w.yml",
               "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    steps: [{shell: sh, run: "
               "'true'}]\n");
      auto r = Kiln({"run"});
      EXPECT_EQ(r.code, 0) << r.out << r.err;
      EXPECT_NE(r.err.find("removed 1 run dir(s)"), std::string::npos) << r.err;
      Workflow(
          "w.yml",
          "on: push\njobs:\n  a:\n    runs-on: {image: bb}\n    steps:\n"
          "      - shell: sh\n        run: |\n          echo \"${{ secrets.TOKEN }}\" > /dev/null\n"
          "          touch \"$GITHUB_WORKSPACE/started\"; sleep 300\n");
    } else {
      auto r = Kiln({"image", "prune"});
      EXPECT_EQ(r.code, 0) << r.err;
      EXPECT_NE(r.out.find("1 run dir(s)"), std::string::npos) << r.out;
    }
    EXPECT_TRUE(Entries(state_ + "/runs").empty()) << "after kiln " << next;
    auto grep = RunProcess({"grep", "-rlaF", secret, state_});
    ASSERT_TRUE(grep.ok());
    EXPECT_EQ(grep->out, "") << "the secret is still on disk after kiln " << next;
  }
}

// An import that fails half way adds no blob: a truncated oci-archive, and an OCI layout whose
// manifest names a layer the layout lacks. Before the fix the config (and manifest) that came
// first stayed in the store, named by nothing.
TEST_F(SecurityLeftovers, FailedImportLeavesBlobDirAsBefore) {
  std::string rootfs = dir_.Sub("mine");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_EQ(Kiln({"image", "import", rootfs, "mine"}).code, 0);
  std::string archive = MakeArchive();
  std::set<std::string> before = Blobs();
  ASSERT_FALSE(before.empty());

  auto bytes = ReadFile(archive);
  ASSERT_TRUE(bytes.ok());
  std::string cut = dir_.Sub("cut.tar");
  ASSERT_TRUE(WriteFileAtomic(cut, bytes->substr(0, bytes->size() * 6 / 10)).ok());
  auto r = Kiln({"image", "import", "oci-archive:" + cut, "cut"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(Blobs(), before) << r.err;

  std::string layout = dir_.Sub("layout");
  ASSERT_EQ(
      KilnIn(dir_.Sub("other-state"), {"image", "export", "bb", layout, "--format", "oci"}).code,
      0);
  auto other = ListDir(dir_.Sub("other-state") + "/oci/blobs/sha256");
  ASSERT_TRUE(other.ok());
  // Remove the largest blob: the layer (the manifest and config are small).
  std::string largest;
  off_t size = -1;
  for (const auto& n : *other) {
    struct stat st;
    if (::stat((layout + "/blobs/sha256/" + n).c_str(), &st) == 0 && st.st_size > size) {
      size = st.st_size;
      largest = n;
    }
  }
  ASSERT_EQ(::unlink((layout + "/blobs/sha256/" + largest).c_str()), 0);
  r = Kiln({"image", "import", "oci:" + layout, "holey"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find(largest), std::string::npos) << r.err;
  EXPECT_EQ(Blobs(), before) << r.err;
  EXPECT_TRUE(Entries(state_ + "/oci/ingest").empty());
}

}  // namespace
}  // namespace kiln::cli
