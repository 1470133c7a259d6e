#include "prod/push/curl_errors.h"

namespace lj::push {

Error curl_transport_error(CURLcode code, const std::string& where, const std::string& whose) {
  const std::string message = where + ": " + curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ErrorCode::kTimedOut, message);
    case CURLE_COULDNT_CONNECT:
      return Error(ErrorCode::kConnectionRefused, message);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Error(ErrorCode::kPermissionDenied, message + " (" + whose + "'s certificate)");
    default:
      return Error(ErrorCode::kUnavailable, message);
  }
}

}  // namespace lj::push
