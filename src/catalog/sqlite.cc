#include "catalog/sqlite.h"

#include <sqlite3.h>

namespace kiln::catalog {
namespace {

Status SqlError(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(msg);
  if (code == SQLITE_CONSTRAINT) return AlreadyExists(msg);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return DataLoss(msg);
  return Internal(msg);
}

}  // namespace

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::Bind(const std::string& v) {
  sqlite3_bind_text(s_, next_++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Bind(int64_t v) {
  sqlite3_bind_int64(s_, next_++, v);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db_, "sqlite step");
}

Status Stmt::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Stmt::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(s_, col);
  return t == nullptr ? "" : reinterpret_cast<const char*>(t);
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(s_, col); }

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Unavailable("open catalog " + path + ": " + msg);
  }
  auto db = std::unique_ptr<Db>(new Db(raw));
  sqlite3_busy_timeout(raw, 10000);
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

Db::~Db() { sqlite3_close(db_); }

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = SqlError(db_, "sqlite");
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Result<Stmt> Db::Prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    return SqlError(db_, "prepare \"" + sql + "\"");
  }
  return Stmt(db_, s);
}

int64_t Db::Changes() const { return sqlite3_changes(db_); }

Result<std::unique_ptr<Transaction>> Transaction::Begin(Db& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (!done_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  RETURN_IF_ERROR(db_.Exec("COMMIT"));
  done_ = true;
  return Status::Ok();
}

}  // namespace kiln::catalog
