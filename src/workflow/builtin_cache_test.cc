// actions/cache, built in: miss, save in post, exact hit, restore-keys order, no save after a
// failure, and a hostile entry refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/json.h"
#include "testing/test_env.h"
#include "workflow/builtin_testing.h"

namespace kiln::workflow {
namespace {

using testing_support::BuiltinJob;

std::string Read(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? *r : "<missing>";
}

// A job of its own (new workspace and home) sharing the cache dir.
class CacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<BuiltinJob> NewJob() {
    auto job = std::make_unique<BuiltinJob>(dir_.Sub("job" + std::to_string(++jobs_)));
    job->options.cache_dir = dir_.Sub("cache");
    job->options.workspace = dir_.Sub("repo");  // the repository: the same for every job
    return job;
  }
  // The dir of the entries of the repository and ref the jobs run (cache/<repo>/<ref>).
  std::string EntriesDir() {
    std::string d = dir_.Sub("cache");
    for (int level = 0; level < 2; ++level) {
      auto names = ListDir(d);
      if (!names.ok() || names->size() != 1) return d + "/<not one scope>";
      d += "/" + (*names)[0];
    }
    return d;
  }
  // Saves `content` at ws/deps/f under `key` from a fresh job (main then post).
  void Save(const std::string& key, const std::string& content) {
    auto job = NewJob();
    ASSERT_TRUE(MakeDirs(job->ctx.workspace_host + "/deps").ok());
    ASSERT_TRUE(WriteFileAtomic(job->ctx.workspace_host + "/deps/f", content).ok());
    std::map<std::string, std::string> with = {{"path", "deps"}, {"key", key}};
    ASSERT_TRUE(job->Run("actions/cache@v4", with).ok());
    ASSERT_TRUE(job->Run("actions/cache@v4", with, true).ok()) << job->log;
  }
  // Sets the creation time of the entry of `key` (so "newest" does not hang on the clock).
  void SetCreated(const std::string& key, int64_t ns) {
    auto names = ListDir(EntriesDir());
    ASSERT_TRUE(names.ok());
    for (const auto& n : *names) {
      std::string p = EntriesDir() + "/" + n + "/meta.json";
      auto meta = ParseJson(Read(p));
      if (!meta.ok() || (*meta)["key"] != key) continue;
      (*meta)["created_ns"] = ns;
      ASSERT_TRUE(WriteFileAtomic(p, DumpJson(*meta)).ok());
    }
  }
  testing::ScratchDir dir_;
  int jobs_ = 0;
};

TEST_F(CacheTest, MissThenSaveInPostThenExactHit) {
  auto a = NewJob();
  ASSERT_TRUE(MakeDirs(a->ctx.workspace_host + "/deps").ok());
  ASSERT_TRUE(WriteFileAtomic(a->ctx.workspace_host + "/deps/f", "v1").ok());
  ASSERT_TRUE(MakeDirs(a->ctx.host_dir + "/home/.tool").ok());
  ASSERT_TRUE(WriteFileAtomic(a->ctx.host_dir + "/home/.tool/c", "home").ok());
  std::map<std::string, std::string> with = {{"path", "deps\n~/.tool"}, {"key", "k-1"}};
  ASSERT_TRUE(a->Run("actions/cache@v4", with).ok());
  EXPECT_EQ(a->outputs["cache-hit"], "false");
  EXPECT_NE(a->log.find("Cache not found"), std::string::npos) << a->log;
  ASSERT_TRUE(a->Run("actions/cache@v4", with, true).ok()) << a->log;
  EXPECT_NE(a->log.find("Cache saved with key: k-1"), std::string::npos) << a->log;

  auto b = NewJob();
  ASSERT_TRUE(b->Run("actions/cache@v4", with).ok()) << b->log;
  EXPECT_EQ(b->outputs["cache-hit"], "true");
  EXPECT_EQ(Read(b->ctx.workspace_host + "/deps/f"), "v1");
  EXPECT_EQ(Read(b->ctx.host_dir + "/home/.tool/c"), "home");
  ASSERT_TRUE(b->Run("actions/cache@v4", with, true).ok());
  EXPECT_NE(b->log.find("not saving cache"), std::string::npos) << b->log;

  // Another path list is another cache version: a miss for the same key.
  auto c = NewJob();
  ASSERT_TRUE(c->Run("actions/cache@v4", {{"path", "deps"}, {"key", "k-1"}}).ok());
  EXPECT_EQ(c->outputs["cache-hit"], "false");
  EXPECT_FALSE(PathExists(c->ctx.workspace_host + "/deps/f"));
}

TEST_F(CacheTest, RestoreKeysInOrderNewestFirst) {
  Save("linux-a", "a");
  Save("linux-b", "b");
  Save("mac-z", "z");
  SetCreated("linux-a", 200);
  SetCreated("linux-b", 100);
  SetCreated("mac-z", 300);
  auto job = NewJob();
  std::map<std::string, std::string> with = {
      {"path", "deps"}, {"key", "linux-new"}, {"restore-keys", "win-\nlinux-\nmac-"}};
  ASSERT_TRUE(job->Run("actions/cache@v4", with).ok()) << job->log;
  EXPECT_EQ(job->outputs["cache-hit"], "false");
  EXPECT_EQ(job->outputs["cache-matched-key"], "linux-a");
  EXPECT_EQ(Read(job->ctx.workspace_host + "/deps/f"), "a");
  SetCreated("linux-b", 300);
  auto again = NewJob();
  ASSERT_TRUE(again->Run("actions/cache/restore@v4", with).ok());
  EXPECT_EQ(Read(again->ctx.workspace_host + "/deps/f"), "b");
}

TEST_F(CacheTest, NoSaveWhenTheJobFailed) {
  auto job = NewJob();
  ASSERT_TRUE(MakeDirs(job->ctx.workspace_host + "/deps").ok());
  std::map<std::string, std::string> with = {{"path", "deps"}, {"key", "k"}};
  ASSERT_TRUE(job->Run("actions/cache@v3", with).ok());
  job->ctx.expr.status = JobStatus::kFailure;
  ASSERT_TRUE(job->Run("actions/cache@v3", with, true).ok());
  EXPECT_NE(job->log.find("no cache is saved"), std::string::npos) << job->log;
  auto names = ListDir(dir_.Sub("cache"));
  EXPECT_TRUE(!names.ok() || names->empty());
  with["save-always"] = "true";
  ASSERT_TRUE(job->Run("actions/cache@v3", with, true).ok());
  EXPECT_NE(job->log.find("Cache saved with key: k"), std::string::npos) << job->log;
}

TEST_F(CacheTest, MissOptionsAndSaveAction) {
  auto job = NewJob();
  std::map<std::string, std::string> with = {
      {"path", "deps"}, {"key", "k"}, {"fail-on-cache-miss", "true"}};
  EXPECT_FALSE(job->Run("actions/cache@v4", with).ok());
  EXPECT_FALSE(job->Run("actions/cache@v4", {{"path", "deps"}}).ok());  // no key
  EXPECT_FALSE(job->Run("actions/cache@v4", {{"path", "deps"}, {"key", "a,b"}}).ok());
  ASSERT_TRUE(MakeDirs(job->ctx.workspace_host + "/deps").ok());
  ASSERT_TRUE(WriteFileAtomic(job->ctx.workspace_host + "/deps/f", "s").ok());
  ASSERT_TRUE(job->Run("actions/cache/save@v4", {{"path", "deps"}, {"key", "k"}}).ok());
  auto look = NewJob();
  ASSERT_TRUE(
      look->Run("actions/cache@v4", {{"path", "deps"}, {"key", "k"}, {"lookup-only", "true"}})
          .ok());
  EXPECT_EQ(look->outputs["cache-hit"], "true");
  EXPECT_FALSE(PathExists(look->ctx.workspace_host + "/deps"));
}

// A ustar header block for a regular file `name` of `size` bytes.
std::string TarHeader(const std::string& name, size_t size) {
  std::string h(512, '\0');
  std::memcpy(&h[0], name.data(), name.size());
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011zo", size);
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(&h[257],
              "ustar\0"
              "00",
              8);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  return h;
}

TEST_F(CacheTest, HostileEntryIsRefused) {
  Save("k", "fine");
  auto names = ListDir(EntriesDir());
  ASSERT_TRUE(names.ok() && names->size() == 1);
  std::string tar =
      TarHeader("../escaped", 4) + "evil" + std::string(508, '\0') + std::string(1024, '\0');
  ASSERT_TRUE(WriteFileAtomic(EntriesDir() + "/" + (*names)[0] + "/ws.tar", tar).ok());
  auto job = NewJob();
  Status s = job->Run("actions/cache@v4", {{"path", "deps"}, {"key", "k"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(".."), std::string::npos) << s.message();
  EXPECT_FALSE(PathExists(dir_.Sub("job" + std::to_string(jobs_)) + "/escaped"));
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(CacheTest, WholeWorkspaceAndHomeRoundTrip) {
  auto a = NewJob();
  ASSERT_TRUE(WriteFileAtomic(a->ctx.workspace_host + "/top", "t").ok());
  ASSERT_TRUE(WriteFileAtomic(a->ctx.host_dir + "/home/h", "h").ok());
  std::map<std::string, std::string> with = {{"path", ".\n~"}, {"key", "all"}};
  ASSERT_TRUE(a->Run("actions/cache/save@v4", with).ok()) << a->log;
  auto b = NewJob();
  ASSERT_TRUE(b->Run("actions/cache/restore@v4", with).ok()) << b->log;
  EXPECT_EQ(b->outputs["cache-hit"], "true");
  EXPECT_EQ(Read(b->ctx.workspace_host + "/top"), "t");
  EXPECT_EQ(Read(b->ctx.host_dir + "/home/h"), "h");
  Status outside = b->Run("actions/cache/save@v4", {{"path", "/etc"}, {"key", "x"}});
  EXPECT_NE(outside.message().find("outside"), std::string::npos) << outside.message();
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

// Entries are scoped by repository (B never restores what A saved) and by ref, a branch
// falling back to the default branch's entries.
TEST_F(CacheTest, EntriesAreScopedByRepositoryAndRef) {
  auto set_ref = [](BuiltinJob& j, const std::string& ref) {
    j.ctx.expr.contexts["github"]["ref"] = ref;
    j.ctx.expr.contexts["github"]["event"]["repository"]["default_branch"] = "main";
  };
  std::map<std::string, std::string> with = {{"path", "deps"}, {"key", "k-1"}};
  auto a = NewJob();
  set_ref(*a, "refs/heads/main");
  ASSERT_TRUE(MakeDirs(a->ctx.workspace_host + "/deps").ok());
  ASSERT_TRUE(WriteFileAtomic(a->ctx.workspace_host + "/deps/f", "main").ok());
  ASSERT_TRUE(a->Run("actions/cache/save@v4", with).ok()) << a->log;
  std::map<std::string, std::string> prefix = {
      {"path", "deps"}, {"key", "other"}, {"restore-keys", "k-"}};
  auto other_repo = NewJob();
  other_repo->options.workspace = dir_.Sub("repo-b");
  ASSERT_TRUE(other_repo->Run("actions/cache/restore@v4", prefix).ok());
  EXPECT_EQ(other_repo->outputs.value("cache-matched-key", ""), "");
  EXPECT_EQ(Read(other_repo->ctx.workspace_host + "/deps/f"), "<missing>");
  auto branch = NewJob();
  set_ref(*branch, "refs/heads/feature");
  ASSERT_TRUE(branch->Run("actions/cache/restore@v4", prefix).ok());
  EXPECT_EQ(Read(branch->ctx.workspace_host + "/deps/f"), "main");  // the default branch's
  ASSERT_TRUE(WriteFileAtomic(branch->ctx.workspace_host + "/deps/f", "feature").ok());
  ASSERT_TRUE(branch->Run("actions/cache/save@v4", {{"path", "deps"}, {"key", "k-2"}}).ok());
  auto main2 = NewJob();
  set_ref(*main2, "refs/heads/main");
  ASSERT_TRUE(main2->Run("actions/cache/restore@v4", prefix).ok());
  EXPECT_EQ(Read(main2->ctx.workspace_host + "/deps/f"), "main");  // not the branch's
}

TEST_F(CacheTest, SaveReadsNothingThroughALinkOut) {
  ASSERT_TRUE(MakeDirs(dir_.Sub("ssh")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("ssh") + "/id_rsa", "host key").ok());
  auto a = NewJob();
  ASSERT_EQ(::symlink(dir_.Sub("ssh").c_str(), (a->ctx.workspace_host + "/link").c_str()), 0);
  std::map<std::string, std::string> with = {{"path", "link/id_rsa\nlink/*"}, {"key", "k"}};
  ASSERT_TRUE(a->Run("actions/cache/save@v4", with).ok()) << a->log;
  EXPECT_NE(a->log.find("symlink"), std::string::npos) << a->log;
  auto b = NewJob();
  ASSERT_TRUE(b->Run("actions/cache/restore@v4", with).ok());
  EXPECT_EQ(Read(b->ctx.workspace_host + "/link/id_rsa"), "<missing>");
  EXPECT_EQ(Read(b->ctx.workspace_host + "/id_rsa"), "<missing>");
}

// A key too long is not echoed (cut, a secret in it would escape masking).
TEST_F(CacheTest, BadKeyIsNotEchoed) {
  auto a = NewJob();
  std::string key = std::string(600, 'x') + "SECRETPART";
  Status s = a->Run("actions/cache@v4", {{"path", "deps"}, {"key", "ab,cd" + key}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("ab,cd"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("xxxx"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace kiln::workflow
