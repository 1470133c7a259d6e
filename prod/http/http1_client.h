#pragma once
// Http1Client: the HttpClient seam (prod/io/http_client.h) as HTTP/1.1 over the Network seam.
// Logic only: the real world passes TCP, or TLS over TCP (prod/real/tls_network.h); tests pass
// the simulated network. One connection per request with "Connection: close", so no framing
// state is ever shared between requests, and a broken response cannot poison the next one.
//
// Responses are parsed defensively: the head is bounded, the body is framed by Content-Length,
// chunked encoding, or the end of the stream, and bounded by max_body_bytes; no length is
// trusted before it is checked. It asks for no content coding ("Accept-Encoding: identity")
// and refuses a response that applies one anyway (kCorrupt): bodies are the bytes as stored.
// A request longer than `timeout` is closed and fails with kTimedOut (a watchdog task per
// request sleeps that long on `executor`).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/http_client.h"
#include "prod/io/network.h"

namespace lj::delivery {

struct Http1ClientOptions {
  std::string address;      // "host:port" to connect to
  std::string host_header;  // the Host header; `address` if empty
  size_t max_head_bytes = 16 * 1024;
  uint64_t max_body_bytes = uint64_t{1} << 30;
  Duration timeout = std::chrono::seconds(120);  // per request; zero: none
  std::string user_agent = "lj-fetch/1";
};

class Http1Client final : public HttpClient {
 public:
  Http1Client(Network& network, Clock& clock, Executor& executor, Http1ClientOptions options);
  // kInvalidArgument for a path that is not "/..." of printable non-space ASCII, or a user
  // name with ':' or a control byte.
  Task<Result<HttpResponse>> get(const std::string& path,
                                 const BasicCredentials& credentials) override;

 private:
  struct Deadline;
  static Task<void> watch(Clock& clock, Duration timeout, std::shared_ptr<Deadline> deadline);
  Task<Result<HttpResponse>> exchange(const std::string& request, Deadline& deadline);

  Network& network_;
  Clock& clock_;
  Executor& executor_;
  Http1ClientOptions options_;
};

// Exposed for tests and fuzzing.
struct HttpResponseHead {
  int status = 0;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool content_coded = false;  // a Content-Encoding other than identity
};
// `text`: the status line and header lines, CRLF-separated, without the blank line.
Result<HttpResponseHead> parse_http_response_head(std::string_view text);

}  // namespace lj::delivery
