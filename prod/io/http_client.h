#pragma once
// HttpClient: HTTP GET with Basic credentials against one server, behind the seam. The
// customer downloader (prod/delivery/fetcher.h) reads logs.index and log files through it.
// Implementations: HTTP/1.1 over the Network seam (prod/http/http1_client.h), which the
// real world runs over TCP or TLS (prod/real/tls_network.h) and tests over a simulated network.
//
// Contract:
//  - get() sends one request for `path` (absolute, already percent-encoded: "/1001_7/logs.index")
//    to the server the client was made for. Any HTTP status the server answers is a *value*
//    (status 401, 404, 429, 5xx included): the caller decides what it means.
//  - Errors are for when no whole answer arrived: kConnectionRefused, kTimedOut,
//    kConnectionReset, kUnavailable (the connection broke before the whole response), kCorrupt
//    (not HTTP, or a malformed head or body framing), kTooLarge (a body beyond the client's
//    limit). A GET changes nothing on the server, so every error may simply be retried.
//  - The body returned is exactly the bytes the server sent (no content decoding: the client
//    never asks for gzip).
//  - Completes on the caller's executor.

#include <string>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

struct BasicCredentials {
  std::string username;  // no ':' (RFC 7617)
  std::string password;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Task<Result<HttpResponse>> get(const std::string& path,
                                         const BasicCredentials& credentials) = 0;
};

}  // namespace lj
