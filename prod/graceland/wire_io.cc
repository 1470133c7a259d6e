#include "prod/graceland/wire.h"

// The one coroutine of the wire format, kept apart so the pure codec (wire.cc) builds without
// coroutines: the fuzzers instrument it, and clang 14 cannot instrument coroutines.
namespace lj::graceland {

Task<Result<std::string>> read_frame(Connection& connection, uint32_t max_frame_bytes) {
  char header_bytes[8];
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(header_bytes))); !s.ok()) {
    co_return s.error();
  }
  Result<FrameHeader> header = decode_frame_header(std::string_view(header_bytes, 8), max_frame_bytes);
  if (!header.ok()) co_return header.error();
  std::string body(header->body_length, '\0');
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(body))); !s.ok()) {
    co_return s.error();
  }
  if (Status s = verify_frame_body(*header, body); !s.ok()) co_return s.error();
  co_return body;
}

}  // namespace lj::graceland
