#pragma once
// Results for operating errors (a refused connection, a full disk, a corrupt frame);
// assertions for programmer errors. No exception crosses the seam: every seam call that
// can fail returns a Status or a Result<T>, and the real and simulated worlds share this
// one error vocabulary so that a fake can only fail the way the real thing fails.

#include <string>
#include <utility>
#include <variant>

#include "prod/io/invariant.h"

namespace lj {

enum class ErrorCode {
  kInvalidArgument,    // the caller passed something malformed (a bad address, a hostile field)
  kCorrupt,            // data failed a checksum, a length check or a format check
  kNotFound,           // no such file, node, account
  kAlreadyExists,      // create of something that exists
  kConnectionRefused,  // nobody listens at the address
  kConnectionReset,    // the peer vanished mid-stream; some written bytes may not have arrived
  kTimedOut,           // no answer within the time allowed
  kCancelled,          // our own side closed the resource while the operation waited
  kUnavailable,        // the service is down or unreachable; retry later
  kIoError,            // the disk or device failed (EIO)
  kDiskFull,           // ENOSPC; a prefix of the write may have been stored
  kPermissionDenied,   // credentials or keys do not grant this
  kVersionMismatch,    // compare-and-set lost: someone else changed it first
  kTooLarge,           // a length exceeds a configured limit
  kInternal,           // a bug or an unexpected system error, with its message
  kSessionExpired,     // the coordination session is gone for good (its ephemerals with it)
  kNotEmpty,           // removing a coordination node that still has children
  kResourceExhausted,  // a quota or reserve would be exceeded: nothing was done; retry later or
                       // elsewhere
};
// The last code: wire decoders reject anything above it.
constexpr ErrorCode kLastErrorCode = ErrorCode::kResourceExhausted;

const char* error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "connection refused: 127.0.0.1:9 (connect)"
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
};

// Status: success, or an Error. [[nodiscard]] so that an ignored failure is a compile error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status ok_status() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    LJ_ASSERT(!ok_);
    return error_;
  }
  ErrorCode code() const { return error().code(); }
  std::string to_string() const { return ok_ ? "ok" : error_.to_string(); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    LJ_ASSERT(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    LJ_ASSERT(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    LJ_ASSERT(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    LJ_ASSERT(!ok());
    return std::get<1>(state_);
  }
  ErrorCode code() const { return error().code(); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace lj
