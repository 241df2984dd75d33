// A thin SQLite wrapper: errors as Status, statements as RAII objects, transactions as scopes.
//
// Every error names what kiln was doing and the database's path: "record toolbox:1.2.0 in
// catalogue /x/kiln.db: attempt to write a readonly database (…)". The caller says what it is
// doing with SetDoing() before its statements. A Db is one connection and is not thread-safe:
// its owner serialises calls (SqliteCatalog holds a mutex around each of its calls).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kiln::catalog {

class Db;

class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_), next_(o.next_) { o.s_ = nullptr; }
  ~Stmt();
  // Binds parameters 1..N in order.
  Stmt& Bind(const std::string& v);
  Stmt& Bind(int64_t v);
  // Next row: true with a row, false when done.
  Result<bool> Step();
  // Runs to completion.
  Status Run();
  std::string Text(int col) const;
  int64_t Int(int col) const;

 private:
  Db* db_;
  sqlite3_stmt* s_;
  int next_ = 1;
};

class Db {
 public:
  // Opens the database file at `path` (created unless read_only) with a 10 s busy timeout.
  // Sets no pragma: the caller checks the schema version before anything writes (SetWal).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool read_only);
  ~Db();
  // WAL, synchronous=FULL, foreign keys. Writes the file header (journal mode) on first use.
  Status SetWal();
  Status Exec(const std::string& sql);
  Result<Stmt> Prepare(const std::string& sql);
  int64_t Changes() const;

  // What the next statements do ("record toolbox:1.2.0"), for error messages; until the
  // first call, errors say "open catalogue <path>".
  void SetDoing(std::string doing) { doing_ = std::move(doing); }
  const std::string& path() const { return path_; }
  // The Status for the connection's last error: "<doing> in catalogue <path>: <sqlite's
  // message> (<a hint where one helps>)".
  Status LastError() const;

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::string doing_;  // empty: opening
};

// BEGIN IMMEDIATE on construction (waiting up to the busy timeout for other processes);
// ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Db& db);
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db& db) : db_(db) {}
  Db& db_;
  bool done_ = false;
};

}  // namespace kiln::catalog
