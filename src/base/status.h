// Errors as values: Status and Result<T>.
//
// A Status is Ok or carries one Code from a small fixed set plus a message. Context is added on
// the way up with WithContext("push ci:1.2.0"), which prefixes the message:
// "push ci:1.2.0: upload layer sha256:ab12…: connection refused". A bug is an abort, not a
// Status. Exceptions thrown by libraries are caught in that library's wrapper and become Status.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kiln {

enum class Code {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kInvalidArgument,
  kFailedPrecondition,
  kPermissionDenied,
  kUnavailable,
  kDeadlineExceeded,
  kDataLoss,
  kInternal,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // Ok.
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message". Ok stays Ok.
  Status WithContext(std::string_view context) const;
  // "NotFound: context: message", for users.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status InvalidArgument(std::string message);
Status FailedPrecondition(std::string message);
Status PermissionDenied(std::string message);
Status Unavailable(std::string message);
Status DeadlineExceeded(std::string message);
Status DataLoss(std::string message);
Status Internal(std::string message);
// Status from errno: ENOENT → NotFound, EEXIST → AlreadyExists, EACCES/EPERM →
// PermissionDenied, others → Internal. Message is "what: strerror(err)".
Status ErrnoStatus(std::string_view what, int err);

// Either a value or a non-Ok Status. Accessing value() of an error aborts (a bug).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) std::abort();                     // An Ok Result must carry a value.
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T value() && { return std::move(Checked()); }  // by value: safe on temporaries
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked() {
    if (!value_) std::abort();
    return *value_;
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace kiln

#define KILN_CONCAT_INNER(a, b) a##b
#define KILN_CONCAT(a, b) KILN_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not Ok.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::kiln::Status kiln_status_ = (expr);        \
    if (!kiln_status_.ok()) return kiln_status_; \
  } while (0)

// Like RETURN_IF_ERROR, adding context to the message.
#define RETURN_IF_ERROR_CTX(expr, ctx)                            \
  do {                                                            \
    ::kiln::Status kiln_status_ = (expr);                         \
    if (!kiln_status_.ok()) return kiln_status_.WithContext(ctx); \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from a Result, or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(KILN_CONCAT(kiln_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
