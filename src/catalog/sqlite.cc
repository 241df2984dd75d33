#include "catalog/sqlite.h"

#include <sqlite3.h>

namespace kiln::catalog {
namespace {

const char* Hint(int code) {
  switch (code & 0xff) {
    case SQLITE_CANTOPEN:
      return " (does the directory exist, and is it writable, not on a read-only filesystem?)";
    case SQLITE_READONLY:
      return " (is the file, its directory or its filesystem read-only, or was it opened with "
             "mode=ro?)";
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return " (check the file's owner and mode)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another kiln process held the catalogue for more than 10 s; try again)";
    case SQLITE_FULL:
      return " (the filesystem is full)";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return " (is it a kiln catalogue? restore it from a backup, or move it away to start an "
             "empty one)";
    default:
      return "";
  }
}

Status Coded(int code, std::string msg) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return Unavailable(std::move(msg));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDenied(std::move(msg));
    case SQLITE_CONSTRAINT:
      return AlreadyExists(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
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
  return db_->LastError();
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

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Coded(rc, "open catalogue " + path + ": " + msg + Hint(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  auto db = std::unique_ptr<Db>(new Db(raw, path));
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Db::~Db() { sqlite3_close(db_); }

Status Db::SetWal() {
  return Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Status Db::LastError() const {
  int code = sqlite3_extended_errcode(db_);
  std::string where =
      doing_.empty() ? "open catalogue " + path_ : doing_ + " in catalogue " + path_;
  return Coded(code, where + ": " + sqlite3_errmsg(db_) + Hint(code));
}

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = LastError();
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Result<Stmt> Db::Prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return LastError();
  return Stmt(this, s);
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
