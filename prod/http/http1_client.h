#pragma once
// Http1Client: HTTP/1.1 requests to one server over the Network seam. Logic only: the real
// world passes TCP, or TLS over TCP (prod/real/tls_network.h); tests pass the simulated
// network. Two users share it: the WebDAV object store (prod/storage/), which sends any
// method with a body through send(), and the customer downloader (prod/delivery/), which
// reads files through the HttpClient seam's get() with Basic credentials.
//
// One connection per request with "Connection: close", so no framing state is ever shared
// between requests, and a broken response cannot poison the next one.
//
// Responses are parsed defensively: the head is bounded, the body is framed by Content-Length,
// chunked encoding, or the end of the stream, and bounded by max_body_bytes; no length is
// trusted before it is checked. It asks for no content coding ("Accept-Encoding: identity")
// and refuses a response that applies one anyway (kCorrupt): bodies are the bytes as stored.
// Interim (1xx) answers are skipped, a bounded number of them.
//
// Errors (any HTTP status is a value, as prod/io/http_client.h says): the connection's own
// (kConnectionRefused, kConnectionReset; kUnavailable when it ends before a whole response),
// kCorrupt, kTooLarge, and kTimedOut for a request longer than `timeout` (a watchdog task per
// request sleeps that long on `executor`, lingering after the request ends, and closes the
// connection if the request still runs).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "prod/http/http1_response_head.h"
#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/http_client.h"
#include "prod/io/network.h"

namespace lj {

struct Http1ClientOptions {
  std::string address;      // "host:port" to connect to
  std::string host_header;  // the Host header; `address` if empty
  size_t max_head_bytes = 16 * 1024;
  uint64_t max_body_bytes = uint64_t{1} << 30;
  Duration timeout = std::chrono::seconds(120);  // per request; zero: none
  std::string user_agent = "lj-fetch/1";
};

struct Http1Request {
  std::string method = "GET";  // a token: upper-case letters
  std::string target;          // "/..." of printable non-space ASCII, already percent-encoded
  std::string headers;         // extra header lines, each ending in CRLF
  std::string_view body;       // sent after the head; the caller keeps it alive until done
  bool read_body = true;       // false: the body of the answer is not read (HEAD, or unwanted)
};

// The "Authorization: Basic ..." header line (CRLF-terminated) for `credentials`; empty for no
// user name; kInvalidArgument for a ':' in the user name or a control byte in either.
Result<std::string> basic_authorization(const BasicCredentials& credentials);

class Http1Client final : public HttpClient {
 public:
  Http1Client(Network& network, Clock& clock, Executor& executor, Http1ClientOptions options);

  // The request as given, after Host, User-Agent, Accept-Encoding and Connection headers.
  // kInvalidArgument for a bad method or target.
  Task<Result<HttpResponse>> send(const Http1Request& request);

  // HttpClient: GET `path` with "Authorization: Basic" unless the user name is empty.
  // kInvalidArgument for a bad path, or a user name with ':' or a control byte.
  Task<Result<HttpResponse>> get(const std::string& path,
                                 const BasicCredentials& credentials) override;

  const Http1ClientOptions& options() const { return options_; }

 private:
  struct Deadline;
  static Task<void> watch(Clock& clock, Duration timeout, std::shared_ptr<Deadline> deadline);
  Task<Result<HttpResponse>> exchange(const std::string& request_head, const Http1Request& request,
                                      Deadline& deadline);

  Network& network_;
  Clock& clock_;
  Executor& executor_;
  Http1ClientOptions options_;
};

}  // namespace lj
