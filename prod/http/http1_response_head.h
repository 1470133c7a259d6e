#pragma once
// The synchronous half of reading an HTTP/1.1 response (prod/http/http1_client.h reads the
// bytes): the head's status line and headers, and a chunked body's size lines. Hostile input:
// every length is checked before it is trusted, and any surprise is kCorrupt naming it.
// Apart from the client's coroutines so the HTTP fuzzer instruments it (clang 14 cannot
// instrument coroutines).

#include <cstdint>
#include <optional>
#include <string_view>

#include "prod/io/result.h"

namespace lj {

struct HttpResponseHead {
  int status = 0;  // 100..599
  std::optional<uint64_t> content_length;
  bool chunked = false;        // never with content_length
  bool content_coded = false;  // a Content-Encoding other than identity
};
// `text`: the status line and header lines, CRLF-separated, without the blank line.
Result<HttpResponseHead> parse_http_response_head(std::string_view text);

// A chunked body's size line (hex digits, then perhaps ";extensions"), without its CRLF.
Result<uint64_t> parse_chunk_size(std::string_view line);

}  // namespace lj
