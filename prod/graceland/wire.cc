#include "prod/graceland/wire.h"

#include <zlib.h>

#include "prod/io/invariant.h"

namespace lj::graceland {

namespace {
uint32_t body_crc(std::string_view body) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}
}  // namespace

std::string MessageWriter::frame() const {
  LJ_ASSERT(body_.size() <= kMaxFrameBytes);
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
    error_ = "field at byte " + std::to_string(at_) + " needs " + std::to_string(n) + " bytes, " +
             std::to_string(body_.size() - at_) + " left";
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
                                          std::to_string(body_.size() - at_) +
                                          " unexpected trailing bytes");
  }
  return Status();
}

Result<FrameHeader> decode_frame_header(std::string_view header_bytes, uint32_t max_frame_bytes) {
  if (header_bytes.size() != 8) return Error(ErrorCode::kCorrupt, "frame header is not 8 bytes");
  FrameHeader header;
  std::memcpy(&header.body_length, header_bytes.data(), 4);
  std::memcpy(&header.crc32, header_bytes.data() + 4, 4);
  if (header.body_length == 0) return Error(ErrorCode::kCorrupt, "empty frame");
  if (header.body_length > max_frame_bytes) {
    return Error(ErrorCode::kTooLarge, "frame length " + std::to_string(header.body_length) +
                                           " exceeds limit " + std::to_string(max_frame_bytes));
  }
  return header;
}

Status verify_frame_body(const FrameHeader& header, std::string_view body) {
  if (body.size() != header.body_length || body_crc(body) != header.crc32) {
    return Error(ErrorCode::kCorrupt, "frame checksum mismatch");
  }
  return Status();
}

Result<uint16_t> parse_hello(std::string_view body) {
  MessageReader reader(body);
  const uint16_t version = reader.u16();
  (void)reader.bytes(256);  // the client's name, for logs
  if (reader.type() != MessageType::kHello) return Error(ErrorCode::kCorrupt, "expected hello");
  if (Status s = reader.finish("hello"); !s.ok()) return s.error();
  return version;
}

Result<BatchRequest> parse_batch(std::string_view body) {
  MessageReader reader(body);
  BatchRequest batch;
  batch.batch_id = reader.u64();
  const uint32_t count = reader.u32();
  if (count > kMaxBatchEvents) {
    return Error(ErrorCode::kTooLarge, "batch of " + std::to_string(count) +
                                           " events exceeds limit " +
                                           std::to_string(kMaxBatchEvents));
  }
  for (uint32_t i = 0; i < count && reader.ok(); ++i) batch.records.push_back(reader.bytes());
  if (reader.type() != MessageType::kBatch) return Error(ErrorCode::kCorrupt, "expected batch");
  if (Status s = reader.finish("batch " + std::to_string(batch.batch_id)); !s.ok())
    return s.error();
  return batch;
}

ReadRequest read_request_fields(MessageReader& reader) {
  ReadRequest request;
  request.account = std::string(reader.bytes(64));
  request.from.file_index = reader.u32();
  request.from.offset = reader.u64();
  request.max_bytes = reader.u32();
  return request;
}

void write_read_request_fields(MessageWriter& writer, const ReadRequest& read) {
  writer.bytes(read.account).u32(read.from.file_index).u64(read.from.offset).u32(read.max_bytes);
}

Result<ReadRequest> parse_read(std::string_view body) {
  MessageReader reader(body);
  ReadRequest request = read_request_fields(reader);
  if (reader.type() != MessageType::kRead) return Error(ErrorCode::kCorrupt, "expected read");
  if (Status s = reader.finish("read"); !s.ok()) return s.error();
  return request;
}

std::string encode_batch(uint64_t batch_id, const std::vector<std::string>& records) {
  MessageWriter batch(MessageType::kBatch);
  batch.u64(batch_id).u32(static_cast<uint32_t>(records.size()));
  for (const std::string& record : records) batch.bytes(record);
  return batch.frame();
}

std::string encode_list_reply(uint16_t version, uint64_t store_id,
                              const std::vector<AccountExtent>& accounts) {
  MessageWriter reply(MessageType::kListReply);
  if (version >= 2) reply.u64(store_id);
  reply.u32(static_cast<uint32_t>(accounts.size()));
  for (const AccountExtent& a : accounts) {
    reply.bytes(a.account)
        .u32(a.first.file_index)
        .u64(a.first.offset)
        .u32(a.end.file_index)
        .u64(a.end.offset);
  }
  return reply.frame();
}

Result<ListReply> parse_list_reply(std::string_view body, uint16_t version) {
  MessageReader reader(body);
  ListReply listing;
  if (version >= 2) listing.store_id = reader.u64();
  const uint32_t n = reader.u32();
  for (uint32_t i = 0; i < n && reader.ok(); ++i) {
    AccountExtent a;
    a.account = std::string(reader.bytes(64));
    a.first.file_index = reader.u32();
    a.first.offset = reader.u64();
    a.end.file_index = reader.u32();
    a.end.offset = reader.u64();
    if (reader.ok()) listing.accounts.push_back(std::move(a));
  }
  if (reader.type() != MessageType::kListReply)
    return Error(ErrorCode::kCorrupt, "expected list reply");
  if (Status s = reader.finish("list reply"); !s.ok()) return s.error();
  if (version >= 2 && listing.store_id == 0)
    return Error(ErrorCode::kCorrupt, "list reply: store id 0");
  return listing;
}

void write_batch_fields(MessageWriter& writer, const ReadBatch& batch) {
  writer.u32(batch.next.file_index)
      .u64(batch.next.offset)
      .u32(static_cast<uint32_t>(batch.records.size()));
  for (const std::string& record : batch.records) writer.bytes(record);
}

ReadBatch read_batch_fields(MessageReader& reader) {
  ReadBatch batch;
  batch.next.file_index = reader.u32();
  batch.next.offset = reader.u64();
  const uint32_t n = reader.u32();
  for (uint32_t i = 0; i < n && reader.ok(); ++i) {
    const std::string_view record = reader.bytes();
    if (reader.ok()) batch.records.emplace_back(record);
  }
  return batch;
}

std::string encode_read_reply(uint16_t version, const ReadBatch& batch) {
  MessageWriter reply(MessageType::kReadReply);
  if (version >= 2) reply.u64(batch.store_id);
  write_batch_fields(reply, batch);
  return reply.frame();
}

Result<ReadBatch> parse_read_reply(std::string_view body, uint16_t version) {
  MessageReader reader(body);
  uint64_t store_id = 0;
  if (version >= 2) store_id = reader.u64();
  ReadBatch batch = read_batch_fields(reader);
  batch.store_id = store_id;
  if (reader.type() != MessageType::kReadReply)
    return Error(ErrorCode::kCorrupt, "expected read reply");
  if (Status s = reader.finish("read reply"); !s.ok()) return s.error();
  if (version >= 2 && batch.store_id == 0)
    return Error(ErrorCode::kCorrupt, "read reply: store id 0");
  return batch;
}

std::string error_frame(ErrorCode code, std::string_view message) {
  return MessageWriter(MessageType::kError)
      .u16(static_cast<uint16_t>(code))
      .bytes(message.substr(0, 4096))
      .frame();
}

Error decode_error(std::string_view body) {
  MessageReader reader(body);
  const uint16_t code = reader.u16();
  const std::string message(reader.bytes(4096));
  if (!reader.finish("error message").ok() || code > static_cast<uint16_t>(kLastErrorCode)) {
    return Error(ErrorCode::kCorrupt, "malformed error message from peer");
  }
  return Error(static_cast<ErrorCode>(code), "peer: " + message);
}

}  // namespace lj::graceland
