#include <algorithm>

#include "prod/graceland/wire.h"

// The one coroutine of the wire format, kept apart so the pure codec (wire.cc) builds without
// coroutines: the fuzzers instrument it, and clang 14 cannot instrument coroutines.
namespace lj::graceland {

Task<Result<std::string>> read_frame(Connection& connection, uint32_t max_frame_bytes) {
  char header_bytes[8];
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(header_bytes)));
      !s.ok()) {
    co_return s.error();
  }
  Result<FrameHeader> header =
      decode_frame_header(std::string_view(header_bytes, 8), max_frame_bytes);
  if (!header.ok()) co_return header.error();
  // The body grows as its bytes arrive: a peer that declares 8 MiB and sends nothing holds a
  // chunk of memory, not the 8 MiB it named.
  constexpr size_t kChunkBytes = 64 * 1024;
  std::string body;
  while (body.size() < header->body_length) {
    const size_t at = body.size();
    const size_t chunk = std::min<size_t>(kChunkBytes, header->body_length - at);
    body.resize(at + chunk);
    std::span<std::byte> room(reinterpret_cast<std::byte*>(body.data() + at), chunk);
    if (Status s = co_await read_exactly(connection, room); !s.ok()) co_return s.error();
  }
  if (Status s = verify_frame_body(*header, body); !s.ok()) co_return s.error();
  co_return body;
}

}  // namespace lj::graceland
