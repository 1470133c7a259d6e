#include "prod/graceland/wire.h"

#include <zlib.h>

namespace lj::graceland {

namespace {
uint32_t body_crc(std::string_view body) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}
}  // namespace

std::string MessageWriter::frame() const {
  assert(body_.size() <= kMaxFrameBytes);
  std::string out(8, '\0');
  const uint32_t length = static_cast<uint32_t>(body_.size());
  const uint32_t crc = body_crc(body_);
  std::memcpy(out.data(), &length, 4);
  std::memcpy(out.data() + 4, &crc, 4);
  return out + body_;
}

bool MessageReader::take(size_t n) {
  if (!error_.empty()) return false;
  if (body_.size() - at_ < n) {
    error_ = "field at byte " + std::to_string(at_) + " needs " + std::to_string(n) +
             " bytes, " + std::to_string(body_.size() - at_) + " left";
    return false;
  }
  at_ += n;
  return true;
}

std::string_view MessageReader::bytes(uint32_t limit) {
  const uint32_t length = u32();
  if (!error_.empty()) return {};
  if (length > limit) {
    error_ = "field length " + std::to_string(length) + " exceeds limit " + std::to_string(limit);
    return {};
  }
  if (!take(length)) return {};
  return body_.substr(at_ - length, length);
}

Status MessageReader::finish(std::string_view what) const {
  if (!error_.empty()) return Error(ErrorCode::kCorrupt, std::string(what) + ": " + error_);
  if (at_ != body_.size()) {
    return Error(ErrorCode::kCorrupt, std::string(what) + ": " +
                                          std::to_string(body_.size() - at_) + " unexpected trailing bytes");
  }
  return Status();
}

Task<Result<std::string>> read_frame(Connection& connection, uint32_t max_frame_bytes) {
  char header[8];
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(header))); !s.ok()) {
    co_return s.error();
  }
  uint32_t length = 0, crc = 0;
  std::memcpy(&length, header, 4);
  std::memcpy(&crc, header + 4, 4);
  if (length == 0) co_return Error(ErrorCode::kCorrupt, "empty frame");
  if (length > max_frame_bytes) {
    co_return Error(ErrorCode::kTooLarge, "frame length " + std::to_string(length) +
                                              " exceeds limit " + std::to_string(max_frame_bytes));
  }
  std::string body(length, '\0');
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(body))); !s.ok()) {
    co_return s.error();
  }
  if (body_crc(body) != crc) co_return Error(ErrorCode::kCorrupt, "frame checksum mismatch");
  co_return body;
}

std::string error_frame(ErrorCode code, std::string_view message) {
  return MessageWriter(MessageType::kError).u16(static_cast<uint16_t>(code)).bytes(message.substr(0, 4096)).frame();
}

Error decode_error(std::string_view body) {
  MessageReader reader(body);
  const uint16_t code = reader.u16();
  const std::string message(reader.bytes(4096));
  if (!reader.finish("error message").ok() || code > static_cast<uint16_t>(ErrorCode::kInternal)) {
    return Error(ErrorCode::kCorrupt, "malformed error message from peer");
  }
  return Error(static_cast<ErrorCode>(code), "peer: " + message);
}

}  // namespace lj::graceland
