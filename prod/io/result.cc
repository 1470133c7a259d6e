#include "prod/io/result.h"

namespace lj {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kConnectionRefused:
      return "connection refused";
    case ErrorCode::kConnectionReset:
      return "connection reset";
    case ErrorCode::kTimedOut:
      return "timed out";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kIoError:
      return "I/O error";
    case ErrorCode::kDiskFull:
      return "disk full";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kVersionMismatch:
      return "version mismatch";
    case ErrorCode::kTooLarge:
      return "too large";
    case ErrorCode::kInternal:
      return "internal error";
    case ErrorCode::kSessionExpired:
      return "session expired";
    case ErrorCode::kNotEmpty:
      return "not empty";
    case ErrorCode::kResourceExhausted:
      return "resource exhausted";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  std::string out = error_code_name(code_);
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace lj
