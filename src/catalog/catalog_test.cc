// What only the SQLite catalogue does: urls, schema versions and migrations, errors that name
// the file, several connections and processes on one file. The shared behaviour is in
// catalog_suite.cc.
#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "base/fs.h"
#include "catalog/schema.h"
#include "testing/test_env.h"

namespace kiln::catalog {
namespace {

bool Has(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

// Runs `sql` on the file with SQLite itself, as another program (or an older kiln) would.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

int64_t RawUserVersion(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_stmt* s = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    v = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

NewVersion Nv(int n) {
  return NewVersion{oci::Digest::FromData(std::to_string(n)), 1, 1, "", "", ""};
}

// AddVersion from one of several connections. On a loaded machine another one may hold the
// write lock past the busy timeout: that is Unavailable ("try again"), and this tries again, so
// the tests below depend on no wall-clock time.
Result<VersionRecord> AddContended(Catalog& c, const std::string& image, int n) {
  for (int attempt = 1;; ++attempt) {
    auto r = c.AddVersion(image, {}, Nv(n));
    if (r.ok() || r.status().code() != Code::kUnavailable || attempt == 100) return r;
  }
}

TEST(OpenCatalogTest, UrlForms) {
  testing::ScratchDir dir;
  auto mem = OpenCatalog("memory:");
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  ASSERT_TRUE((*mem)->AddVersion("m", {}, Nv(1)).ok());
  EXPECT_TRUE((*OpenCatalog("memory:"))->List("")->empty());  // each memory: is its own

  auto by_url = OpenCatalog("sqlite://" + dir.Sub("kiln.db"));
  ASSERT_TRUE(by_url.ok()) << by_url.status().ToString();
  ASSERT_TRUE((*by_url)->AddVersion("ci", {}, Nv(1)).ok());
  auto by_path = OpenCatalog(dir.Sub("kiln.db"));
  ASSERT_TRUE(by_path.ok()) << by_path.status().ToString();
  EXPECT_EQ((*by_path)->Resolve("ci", "latest")->version.ToString(), "1.0.0");
  auto legacy = Catalog::Open(dir.Sub("kiln.db"));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ((*legacy)->List("ci")->size(), 1u);

  auto pg = OpenCatalog("postgresql://kiln:secret@db.example/kiln");
  EXPECT_EQ(pg.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(Has(pg.status(), "postgresql")) << pg.status().message();
  EXPECT_TRUE(Has(pg.status(), "not supported yet")) << pg.status().message();
  EXPECT_FALSE(Has(pg.status(), "secret")) << pg.status().message();
  EXPECT_EQ(OpenCatalog("postgres://h/kiln").status().code(), Code::kFailedPrecondition);
  for (const char* bad : {"mysql://h/kiln", "sqlite://relative/kiln.db", "", "file:x.db"}) {
    auto r = OpenCatalog(bad);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_TRUE(Has(r.status(), "sqlite:///")) << bad << ": " << r.status().message();
  }
  auto opt = OpenCatalog("sqlite://" + dir.Sub("kiln.db") + "?cache=shared");
  EXPECT_EQ(opt.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Has(opt.status(), "mode=ro")) << opt.status().message();
}

// The DDL of schema version 1 (kiln 0.1), as it was released.
const char kSchemaV1[] = R"(
  CREATE TABLE versions (image TEXT NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
    patch INTEGER NOT NULL, manifest TEXT NOT NULL, size INTEGER NOT NULL,
    created INTEGER NOT NULL, runner_size TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (image, major, minor, patch));
  CREATE TABLE allocated (image TEXT NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
    patch INTEGER NOT NULL, PRIMARY KEY (image, major, minor, patch));
  CREATE TABLE latest (image TEXT PRIMARY KEY, major INTEGER NOT NULL, minor INTEGER NOT NULL,
    patch INTEGER NOT NULL);
  CREATE TABLE runners (name TEXT PRIMARY KEY, image TEXT NOT NULL, version TEXT NOT NULL,
    size TEXT NOT NULL);
  CREATE TABLE retention (image TEXT PRIMARY KEY, keep_newest INTEGER NOT NULL,
    max_age_days INTEGER NOT NULL);
  PRAGMA user_version = 1;
)";

TEST(SqliteCatalogTest, ASchemaVersion1CatalogueMigratesKeepingItsData) {
  testing::ScratchDir dir;
  std::string db = dir.Sub("kiln.db");
  std::string digest = oci::Digest::FromData("v1").str();
  RawSql(
      db,
      std::string(kSchemaV1) + "INSERT INTO versions VALUES ('ci', 1, 0, 0, '" + digest +
          "', 5, 100, '2x8', 'old');"
          "INSERT INTO versions VALUES ('ci', 1, 2, 0, '" +
          digest +
          "', 6, 200, '', 'old');"
          "INSERT INTO allocated VALUES ('ci', 1, 0, 0), ('ci', 1, 1, 0), ('ci', 1, 2, 0);"
          "INSERT INTO latest VALUES ('ci', 1, 2, 0);"
          "INSERT INTO runners VALUES ('short', 'ci', '1.0', '2x8'), ('empty', 'ci', '', '4x16');"
          "INSERT INTO retention VALUES ('ci', 7, 0);");
  ASSERT_EQ(RawUserVersion(db), 1);
  auto cat = OpenCatalog(db);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(RawUserVersion(db), KnownSchemaVersion());
  auto all = (*cat)->List("ci");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].version.ToString(), "1.2.0");
  EXPECT_TRUE((*all)[0].latest);
  EXPECT_EQ((*all)[1].runner_size, "2x8");
  EXPECT_EQ((*all)[1].manifest.str(), digest);
  EXPECT_EQ((*cat)->GetRetention("ci")->keep_newest, 7);
  // Version 2 spells runner versions one way, so "1.0" pins 1.0.0 as it always meant to.
  EXPECT_EQ((*cat)->GetRunner("short")->version, "1.0.0");
  EXPECT_EQ((*cat)->GetRunner("empty")->version, "latest");
  EXPECT_EQ((*cat)->DeleteVersion("ci", {1, 0, 0}, false).code(), Code::kFailedPrecondition);
  // The numbers allocated before the upgrade stay used.
  EXPECT_EQ((*cat)->AddVersion("ci", {}, Nv(1))->version.ToString(), "1.3.0");
}

TEST(SqliteCatalogTest, ANewerSchemaIsRefusedAndTheFileLeftAsItWas) {
  testing::ScratchDir dir;
  std::string db = dir.Sub("kiln.db");
  int64_t newer = KnownSchemaVersion() + 3;
  RawSql(db,
         "CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');"
         "PRAGMA user_version = " +
             std::to_string(newer) + ";");
  auto before = ReadFile(db);
  ASSERT_TRUE(before.ok());
  auto cat = OpenCatalog(db);
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(cat.status().message(), "catalogue " + db + " has schema version " +
                                        std::to_string(newer) + "; this kiln knows up to " +
                                        std::to_string(KnownSchemaVersion()) + ": upgrade kiln");
  EXPECT_EQ(*ReadFile(db), *before);
  EXPECT_EQ(RawUserVersion(db), newer);
  EXPECT_FALSE(PathExists(db + "-wal"));
}

TEST(SqliteCatalogTest, OpenErrorsNameThePathAndWhatToCheck) {
  testing::ScratchDir dir;
  std::string db = dir.Sub("missing/dir/kiln.db");
  auto cat = OpenCatalog("sqlite://" + db);
  ASSERT_FALSE(cat.ok());
  EXPECT_TRUE(Has(cat.status(), "open catalogue " + db + ": unable to open database file"))
      << cat.status().message();
  EXPECT_TRUE(Has(cat.status(), "directory")) << cat.status().message();
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("notes.txt"), std::string(4096, 'x')).ok());
  auto junk = OpenCatalog(dir.Sub("notes.txt"));
  EXPECT_EQ(junk.status().code(), Code::kDataLoss);
  EXPECT_TRUE(Has(junk.status(), "catalogue " + dir.Sub("notes.txt") + ": file is not a database"))
      << junk.status().message();
}

TEST(SqliteCatalogTest, AWriteToAReadOnlyCatalogueSaysWhatAndWhere) {
  testing::ScratchDir dir;
  std::string db = dir.Sub("kiln.db");
  auto rw = OpenCatalog(db);
  ASSERT_TRUE(rw.ok());
  ASSERT_TRUE((*rw)->AddVersion("toolbox", {}, Nv(1)).ok());
  ASSERT_TRUE((*rw)->AddVersion("toolbox", {}, Nv(2)).ok());
  auto ro = OpenCatalog("sqlite://" + db + "?mode=ro");
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  EXPECT_EQ((*ro)->Resolve("toolbox", "latest")->version.ToString(), "1.1.0");
  auto add = (*ro)->AddVersion("toolbox", {}, Nv(3));
  ASSERT_FALSE(add.ok());
  EXPECT_EQ(add.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(Has(add.status(), "record toolbox:1.2.0 in catalogue " + db +
                                    ": attempt to write a readonly database"))
      << add.status().message();
  Status put = (*ro)->PutRunner({"ci-large", "toolbox", "latest", "8x32", ""});
  EXPECT_TRUE(Has(put, "record runner ci-large in catalogue " + db + ": attempt to write"))
      << put.message();
  Status del = (*ro)->DeleteVersion("toolbox", {1, 0, 0}, false);
  EXPECT_TRUE(Has(del, "delete toolbox:1.0.0 in catalogue " + db)) << del.message();
  EXPECT_EQ((*rw)->List("toolbox")->size(), 2u);
  // A read-only open of a file that does not exist does not create it.
  EXPECT_FALSE(OpenCatalog("sqlite://" + dir.Sub("none.db") + "?mode=ro").ok());
  EXPECT_FALSE(PathExists(dir.Sub("none.db")));
}

TEST(SqliteCatalogTest, TwoConnectionsInThreadsGetDistinctVersions) {
  testing::ScratchDir dir;
  const int kEach = 25;
  std::unique_ptr<Catalog> cats[2];
  for (auto& c : cats) {
    auto r = OpenCatalog(dir.Sub("kiln.db"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    c = std::move(*r);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = AddContended(*cats[t % 2], "race", t * 100 + i);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = cats[0]->List("race");
  ASSERT_TRUE(all.ok());
  std::set<std::string> seen;
  for (const auto& r : *all) seen.insert(r.version.ToString());
  EXPECT_EQ(seen.size(), static_cast<size_t>(4 * kEach));
}

TEST(SqliteCatalogTest, ConcurrentProcessesGetDistinctVersions) {
  testing::ScratchDir dir;
  const int kProcs = 4, kEach = 10;
  auto cat = OpenCatalog(dir.Sub("kiln.db"));  // made before the children start
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto c = OpenCatalog(dir.Sub("kiln.db"));
      if (!c.ok()) ::_exit(1);
      for (int i = 0; i < kEach; ++i) {
        if (!AddContended(**c, "race", p * 100 + i).ok()) ::_exit(2);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "child status " << st;
  }
  auto all = (*cat)->List("race");
  ASSERT_TRUE(all.ok());
  std::set<std::string> seen;
  for (const auto& r : *all) seen.insert(r.version.ToString());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kProcs * kEach));
  EXPECT_EQ(all->front().version.ToString(), "1." + std::to_string(kProcs * kEach - 1) + ".0");
}

}  // namespace
}  // namespace kiln::catalog
