// upload-artifact and download-artifact, built in: across two jobs of a run, globs and
// excludes, the least common ancestor, if-no-files-found, overwrite, symlinks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/builtin_testing.h"

namespace kiln::workflow {
namespace {

using testing_support::BuiltinJob;

std::string Read(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? *r : "<missing>";
}

class ArtifactTest : public ::testing::Test {
 protected:
  // A job of the run "run1" with its own workspace; artifacts under dir/artifacts.
  std::unique_ptr<BuiltinJob> NewJob() {
    auto job = std::make_unique<BuiltinJob>(dir_.Sub("job" + std::to_string(++jobs_)));
    job->options.artifact_dir = dir_.Sub("artifacts");
    return job;
  }
  void Write(BuiltinJob& job, const std::string& rel, const std::string& text) {
    std::string p = job.options.workspace + "/" + rel;
    ASSERT_TRUE(MakeDirs(p.substr(0, p.rfind('/'))).ok());
    ASSERT_TRUE(WriteFileAtomic(p, text).ok());
  }
  std::string Stored(const std::string& rel) { return Read(dir_.Sub("artifacts/run1/" + rel)); }
  testing::ScratchDir dir_;
  int jobs_ = 0;
};

TEST_F(ArtifactTest, RoundTripAcrossJobs) {
  auto a = NewJob();
  Write(*a, "dist/app.bin", "bin");
  Write(*a, "dist/sub/readme", "r");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "build"}, {"path", "dist"}}).ok())
      << a->log;
  EXPECT_EQ(Stored("build/app.bin"), "bin");  // root: the dir itself
  auto b = NewJob();
  ASSERT_TRUE(b->Run("actions/download-artifact@v4", {{"name", "build"}, {"path", "got"}}).ok())
      << b->log;
  EXPECT_EQ(Read(b->options.workspace + "/got/app.bin"), "bin");
  EXPECT_EQ(Read(b->options.workspace + "/got/sub/readme"), "r");
  EXPECT_EQ(b->outputs["download-path"], "/github/workspace/got");
  auto later = std::make_unique<BuiltinJob>(dir_.Sub("later"), "run2");
  later->options.artifact_dir = dir_.Sub("artifacts");
  ASSERT_TRUE(later
                  ->Run("actions/download-artifact@v4",
                        {{"name", "build"}, {"path", "old"}, {"run-id", "run1"}})
                  .ok());
  EXPECT_EQ(Read(later->options.workspace + "/old/app.bin"), "bin");
  EXPECT_FALSE(later->Run("actions/download-artifact@v4", {{"name", "build"}}).ok());
  EXPECT_FALSE(later->Run("actions/download-artifact@v4", {{"run-id", "../x"}}).ok());
  Status missing = b->Run("actions/download-artifact@v4", {{"name", "nope"}});
  EXPECT_NE(missing.message().find("no artifact named \"nope\""), std::string::npos);
}

TEST_F(ArtifactTest, GlobsExcludesAndCommonAncestor) {
  auto a = NewJob();
  Write(*a, "out/x/a.txt", "a");
  Write(*a, "out/y/b.txt", "b");
  Write(*a, "out/y/b.log", "log");
  Write(*a, "out/y/deep/c.txt", "c");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4",
                     {{"name", "txt"}, {"path", "out/x/*.txt\nout/y/**/*.txt\n!out/y/deep"}})
                  .ok())
      << a->log;
  EXPECT_EQ(Stored("txt/x/a.txt"), "a");  // root: out (common to out/x and out/y)
  EXPECT_EQ(Stored("txt/y/b.txt"), "b");
  EXPECT_EQ(Stored("txt/y/b.log"), "<missing>");
  EXPECT_EQ(Stored("txt/y/deep/c.txt"), "<missing>");
  // One file: stored by its name alone.
  ASSERT_TRUE(
      a->Run("actions/upload-artifact@v4", {{"name", "one"}, {"path", "out/y/b.log"}}).ok());
  EXPECT_EQ(Stored("one/b.log"), "log");
}

TEST_F(ArtifactTest, IfNoFilesFound) {
  auto a = NewJob();
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"path", "none/*"}}).ok());
  EXPECT_NE(a->log.find("warning: upload-artifact: no files"), std::string::npos) << a->log;
  ASSERT_EQ(a->ctx.report.annotations.size(), 1u);
  EXPECT_EQ(a->ctx.report.annotations[0].level, "warning");
  Status err =
      a->Run("actions/upload-artifact@v4", {{"path", "none/*"}, {"if-no-files-found", "error"}});
  EXPECT_NE(err.message().find("no files were found"), std::string::npos) << err.message();
  EXPECT_TRUE(
      a->Run("actions/upload-artifact@v4", {{"path", "none"}, {"if-no-files-found", "ignore"}})
          .ok());
}

TEST_F(ArtifactTest, OverwriteAndDownloadAll) {
  auto a = NewJob();
  Write(*a, "f1", "one");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "n"}, {"path", "f1"}}).ok());
  Write(*a, "f1", "two");
  Status again = a->Run("actions/upload-artifact@v4", {{"name", "n"}, {"path", "f1"}});
  EXPECT_NE(again.message().find("already exists"), std::string::npos) << again.message();
  ASSERT_TRUE(
      a->Run("actions/upload-artifact@v4", {{"name", "n"}, {"path", "f1"}, {"overwrite", "true"}})
          .ok());
  EXPECT_EQ(Stored("n/f1"), "two");
  Write(*a, "f2", "other");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "m"}, {"path", "f2"}}).ok());
  auto b = NewJob();
  ASSERT_TRUE(b->Run("actions/download-artifact@v4", {{"path", "all"}}).ok()) << b->log;
  EXPECT_EQ(Read(b->options.workspace + "/all/n/f1"), "two");
  EXPECT_EQ(Read(b->options.workspace + "/all/m/f2"), "other");
  ASSERT_TRUE(b->Run("actions/download-artifact@v4",
                     {{"path", "merged"}, {"pattern", "m*"}, {"merge-multiple", "true"}})
                  .ok());
  EXPECT_EQ(Read(b->options.workspace + "/merged/f2"), "other");
  EXPECT_FALSE(PathExists(b->options.workspace + "/merged/f1"));
  EXPECT_FALSE(a->Run("actions/upload-artifact@v4", {{"name", "../x"}, {"path", "f2"}}).ok());
}

TEST_F(ArtifactTest, SymlinksOutOfTheWorkspaceAreNotFollowed) {
  auto a = NewJob();
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("secret"), "host file").ok());
  Write(*a, "d/ok", "ok");
  ASSERT_EQ(::symlink(dir_.Sub("secret").c_str(), (a->options.workspace + "/d/out").c_str()), 0);
  ASSERT_EQ(::symlink("ok", (a->options.workspace + "/d/in").c_str()), 0);
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "s"}, {"path", "d"}}).ok());
  EXPECT_EQ(Stored("s/ok"), "ok");
  EXPECT_EQ(Stored("s/in"), "ok");
  EXPECT_EQ(Stored("s/out"), "<missing>");
  EXPECT_NE(a->log.find("symlink"), std::string::npos) << a->log;
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(ArtifactTest, V3AddsToANameAndV4LeavesHiddenFilesOut) {
  auto a = NewJob();
  Write(*a, "d/f1", "1");
  Write(*a, "d/.env", "hidden");
  Write(*a, "d/.git/config", "hidden");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "v4"}, {"path", "d"}}).ok());
  EXPECT_EQ(Stored("v4/f1"), "1");
  EXPECT_EQ(Stored("v4/.env"), "<missing>");
  EXPECT_EQ(Stored("v4/.git/config"), "<missing>");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4",
                     {{"name", "h"}, {"path", "d"}, {"include-hidden-files", "true"}})
                  .ok());
  EXPECT_EQ(Stored("h/.env"), "hidden");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v3", {{"name", "v3"}, {"path", "d/f1"}}).ok());
  Write(*a, "d/f2", "2");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v3", {{"name", "v3"}, {"path", "d/f2"}}).ok())
      << a->log;
  EXPECT_EQ(Stored("v3/f1"), "1");
  EXPECT_EQ(Stored("v3/f2"), "2");
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(ArtifactTest, DownloadWritesThroughNoSymlink) {
  auto a = NewJob();
  Write(*a, ".bashrc", "from the artifact");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4",
                     {{"name", "rc"}, {"path", ".bashrc"}, {"include-hidden-files", "true"}})
                  .ok())
      << a->log;
  ASSERT_TRUE(MakeDirs(dir_.Sub("hosthome")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("hosthome") + "/.bashrc", "host").ok());
  auto b = NewJob();
  // The destination dir is a link out of the workspace.
  ASSERT_EQ(::symlink(dir_.Sub("hosthome").c_str(), (b->options.workspace + "/out").c_str()), 0);
  Status s = b->Run("actions/download-artifact@v4", {{"name", "rc"}, {"path", "out"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("symlink"), std::string::npos) << s.message();
  // A link on the way (out2/sub) and a link at the file itself (out3/.bashrc).
  ASSERT_TRUE(MakeDirs(b->options.workspace + "/out2").ok());
  ASSERT_EQ(::symlink(dir_.Sub("hosthome").c_str(), (b->options.workspace + "/out2/sub").c_str()),
            0);
  EXPECT_FALSE(b->Run("actions/download-artifact@v4", {{"name", "rc"}, {"path", "out2/sub"}}).ok());
  ASSERT_TRUE(MakeDirs(b->options.workspace + "/out3").ok());
  ASSERT_EQ(::symlink((dir_.Sub("hosthome") + "/.bashrc").c_str(),
                      (b->options.workspace + "/out3/.bashrc").c_str()),
            0);
  EXPECT_FALSE(b->Run("actions/download-artifact@v4", {{"name", "rc"}, {"path", "out3"}}).ok());
  // A hard link to a host file is replaced, not written through.
  ASSERT_TRUE(MakeDirs(b->options.workspace + "/out4").ok());
  ASSERT_EQ(::link((dir_.Sub("hosthome") + "/.bashrc").c_str(),
                   (b->options.workspace + "/out4/.bashrc").c_str()),
            0);
  ASSERT_TRUE(b->Run("actions/download-artifact@v4", {{"name", "rc"}, {"path", "out4"}}).ok());
  EXPECT_EQ(Read(b->options.workspace + "/out4/.bashrc"), "from the artifact");
  EXPECT_EQ(Read(dir_.Sub("hosthome") + "/.bashrc"), "host");
  ASSERT_TRUE(b->Run("actions/download-artifact@v4", {{"name", "rc"}, {"path", "ok"}}).ok());
  EXPECT_EQ(Read(b->options.workspace + "/ok/.bashrc"), "from the artifact");
}

TEST_F(ArtifactTest, UploadReadsThroughNoIntermediateSymlinkOut) {
  auto a = NewJob();
  ASSERT_TRUE(MakeDirs(dir_.Sub("ssh")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("ssh") + "/id_rsa", "host key").ok());
  ASSERT_EQ(::symlink(dir_.Sub("ssh").c_str(), (a->options.workspace + "/link").c_str()), 0);
  Write(*a, "real/f", "f");
  ASSERT_EQ(::symlink("real", (a->options.workspace + "/inlink").c_str()), 0);
  ASSERT_TRUE(
      a->Run("actions/upload-artifact@v4", {{"name", "k"}, {"path", "link/id_rsa\ninlink/f"}}).ok())
      << a->log;
  EXPECT_EQ(Stored("k/link/id_rsa"), "<missing>");
  EXPECT_EQ(Stored("k/id_rsa"), "<missing>");
  EXPECT_EQ(Stored("k/inlink/f"), "f");
  ASSERT_TRUE(a->Run("actions/upload-artifact@v4", {{"name", "k2"}, {"path", "link/*"}}).ok());
  EXPECT_EQ(Stored("k2/id_rsa"), "<missing>");
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

// Two jobs uploading one name at once: the run's artifact dir is locked around the check and
// the publish, so exactly one of them gets the name.
TEST_F(ArtifactTest, ConcurrentUploadsOfOneNameOneWins) {
  auto a = NewJob(), b = NewJob();
  Write(*a, "f", "a");
  Write(*b, "f", "b");
  for (int round = 0; round < 10; ++round) {
    std::string name = "n" + std::to_string(round);
    Status sa, sb;
    std::thread ta([&] {
      sa = a->Run("actions/upload-artifact@v4", {{"name", name}, {"path", "f"}});
    });
    std::thread tb([&] {
      sb = b->Run("actions/upload-artifact@v4", {{"name", name}, {"path", "f"}});
    });
    ta.join();
    tb.join();
    EXPECT_NE(sa.ok(), sb.ok()) << name << ": " << sa.message() << " / " << sb.message();
  }
}

}  // namespace
}  // namespace kiln::workflow
