// A thin SQLite wrapper: errors as Status, statements as RAII objects, transactions as scopes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kiln::catalog {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
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
  sqlite3* db_;
  sqlite3_stmt* s_;
  int next_ = 1;
};

class Db {
 public:
  // Opens with WAL, foreign keys and a 10 s busy timeout.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Status Exec(const std::string& sql);
  Result<Stmt> Prepare(const std::string& sql);
  int64_t Changes() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
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
