#include "build/copy_files.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::build {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CopyFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char buf[PATH_MAX];
    ASSERT_NE(::realpath(dir_.path().c_str(), buf), nullptr);
    root_ = buf;
    ctx_ = root_ + "/ctx";
    ASSERT_TRUE(MakeDirs(ctx_ + "/src/sub").ok());
    Write("src/a.txt", "a", 0644);
    Write("src/b.log", "b", 0600);
    Write("src/sub/c.txt", "c", 0755);
    Write("outside", "o", 0644);
  }
  void Write(const std::string& rel, const std::string& text, int mode) {
    std::string path = rel == "outside" ? root_ + "/outside" : ctx_ + "/" + rel;
    ASSERT_TRUE(WriteFileAtomic(path, text, mode).ok());
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  std::vector<std::string> Found(const std::string& pattern, const IgnoreRules& ignore = {}) {
    auto found = FindSources(ctx_, pattern, ignore);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<std::string> out;
    for (const auto& s : found.ok() ? *found : std::vector<Source>{}) out.push_back(s.rel);
    return out;
  }
  std::string Digest(const std::string& pattern) {
    IgnoreRules none;
    auto found = FindSources(ctx_, pattern, none);
    EXPECT_TRUE(found.ok());
    auto d = SourcesDigest(*found, none, ctx_);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : "";
  }
  testing::ScratchDir dir_;
  std::string root_, ctx_;
};

TEST_F(CopyFilesTest, FindsPathsAndWildcardsInsideTheContext) {
  EXPECT_THAT(Found("src/a.txt"), ElementsAre("src/a.txt"));
  EXPECT_THAT(Found("./src/../src/sub"), ElementsAre("src/sub"));
  EXPECT_THAT(Found("src/*.txt"), ElementsAre("src/a.txt"));
  EXPECT_THAT(Found("."), ElementsAre(""));
  auto missing = FindSources(ctx_, "nope", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST_F(CopyFilesTest, RefusesPathsLeavingTheContextLexicallyOrThroughSymlinks) {
  ASSERT_EQ(::symlink("../outside", (ctx_ + "/up").c_str()), 0);
  ASSERT_EQ(::symlink(root_.c_str(), (ctx_ + "/abs").c_str()), 0);
  for (const char* p : {"../outside", "src/../../outside", "up", "abs/outside", "abs"}) {
    auto found = FindSources(ctx_, p, {});
    ASSERT_FALSE(found.ok()) << p;
    EXPECT_EQ(found.status().code(), Code::kPermissionDenied) << p;
    EXPECT_THAT(found.status().message(), HasSubstr("outside the build context")) << p;
  }
  ASSERT_EQ(::symlink("src/a.txt", (ctx_ + "/in").c_str()), 0);
  EXPECT_THAT(Found("in"), ElementsAre("in"));  // a symlink inside the context is followed
}

TEST_F(CopyFilesTest, DockerignoreLeavesFilesOut) {
  Write(".dockerignore", "# comment\n*.log\nsrc/sub\n!src/sub/c.txt\n/src/a*\n", 0644);
  auto ignore = IgnoreRules::Load(ctx_);
  ASSERT_TRUE(ignore.ok());
  EXPECT_TRUE(ignore->Ignored("src/a.txt"));
  EXPECT_TRUE(ignore->Ignored("src/sub/d"));
  EXPECT_FALSE(ignore->Ignored("src/sub/c.txt"));
  EXPECT_FALSE(ignore->Ignored("src/b.log"));  // `*.log` matches one level: b.log is in src/
  EXPECT_TRUE(ignore->Ignored("x.log"));
  auto found = FindSources(ctx_, "src/*", *ignore);
  ASSERT_TRUE(found.ok());
  std::vector<std::string> rels;
  for (const auto& s : *found) rels.push_back(s.rel);
  EXPECT_THAT(rels, ElementsAre("src/b.log"));
}

TEST_F(CopyFilesTest, TheDigestFollowsContentsAndModesButNotTimes) {
  std::string before = Digest("src");
  EXPECT_EQ(Digest("src"), before);
  struct timespec times[2] = {{1, 0}, {1, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (ctx_ + "/src/a.txt").c_str(), times, 0), 0);
  EXPECT_EQ(Digest("src"), before);
  ASSERT_EQ(::chmod((ctx_ + "/src/a.txt").c_str(), 0600), 0);
  std::string mode = Digest("src");
  EXPECT_NE(mode, before);
  Write("src/sub/c.txt", "C", 0755);
  EXPECT_NE(Digest("src"), mode);
}

TEST_F(CopyFilesTest, CopyTreeKeepsModesAndAppliesChmod) {
  auto found = FindSources(ctx_, "src", {});
  ASSERT_TRUE(found.ok());
  std::string dest = root_ + "/out";
  CopyOptions o;
  o.uid = static_cast<int>(::geteuid());
  o.gid = static_cast<int>(::getegid());
  ASSERT_TRUE(CopyTree((*found)[0], dest, o, {}).ok());
  struct stat st;
  ASSERT_EQ(::stat((dest + "/sub/c.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat((dest + "/b.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(ReadFile(dest + "/a.txt").value(), "a");
  o.chmod = 0640;
  ASSERT_TRUE(CopyTree((*found)[0], root_ + "/chmod", o, {}).ok());
  ASSERT_EQ(::stat((root_ + "/chmod/sub/c.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(CopyFilesTest, ExtractsTarArchivesAndCopiesOtherFiles) {
  testing::TarBuilder tar;
  tar.Dir("d").File("d/f", "tar data", 0700);
  ASSERT_TRUE(WriteFileAtomic(ctx_ + "/x.tar", tar.Bytes()).ok());
  auto extracted = ExtractIfArchive(ctx_ + "/x.tar", root_ + "/ex");
  ASSERT_TRUE(extracted.ok()) << extracted.status().ToString();
  EXPECT_TRUE(*extracted);
  EXPECT_EQ(ReadFile(root_ + "/ex/d/f").value(), "tar data");
  auto plain = ExtractIfArchive(ctx_ + "/src/a.txt", root_ + "/plain");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(*plain);
}

TEST_F(CopyFilesTest, AnArchiveEntryLeavingTheDestinationIsRefused) {
  testing::TarBuilder tar;
  tar.File("ok", "fine").File("../escaped", "bad");
  ASSERT_TRUE(WriteFileAtomic(ctx_ + "/evil.tar", tar.Bytes()).ok());
  auto extracted = ExtractIfArchive(ctx_ + "/evil.tar", root_ + "/ex");
  ASSERT_FALSE(extracted.ok());
  EXPECT_THAT(extracted.status().message(), HasSubstr("leaves the destination"));
  EXPECT_FALSE(PathExists(root_ + "/escaped"));
}

}  // namespace
}  // namespace kiln::build
