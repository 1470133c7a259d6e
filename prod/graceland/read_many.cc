#include "prod/graceland/read_many.h"

namespace lj::graceland {

std::string encode_read_many(const ReadManyRequest& request) {
  MessageWriter writer(MessageType::kReadMany);
  writer.u32(request.reply_budget).u32(static_cast<uint32_t>(request.reads.size()));
  for (const ReadRequest& read : request.reads) write_read_request_fields(writer, read);
  return writer.frame();
}

Result<ReadManyRequest> parse_read_many(std::string_view body) {
  MessageReader reader(body);
  ReadManyRequest request;
  request.reply_budget = reader.u32();
  const uint32_t n = reader.u32();
  if (reader.type() != MessageType::kReadMany)
    return Error(ErrorCode::kCorrupt, "expected read-many");
  if (reader.ok() && (n == 0 || n > kMaxReadManyAccounts)) {
    return Error(ErrorCode::kInvalidArgument, "read-many of " + std::to_string(n) +
                                                  " accounts (1 to " +
                                                  std::to_string(kMaxReadManyAccounts) + ")");
  }
  if (reader.ok() && (request.reply_budget == 0 || request.reply_budget > kMaxReadManyBudget)) {
    return Error(ErrorCode::kInvalidArgument, "read-many budget " +
                                                  std::to_string(request.reply_budget) + " (1 to " +
                                                  std::to_string(kMaxReadManyBudget) + ")");
  }
  for (uint32_t i = 0; i < n && reader.ok(); ++i)
    request.reads.push_back(read_request_fields(reader));
  if (Status s = reader.finish("read-many"); !s.ok()) return s.error();
  return request;
}

std::string encode_read_many_reply(const ReadManyReply& reply) {
  MessageWriter writer(MessageType::kReadManyReply);
  writer.u64(reply.store_id).u32(static_cast<uint32_t>(reply.entries.size()));
  for (const ReadManyEntry& entry : reply.entries) {
    writer.u8(static_cast<uint8_t>(entry.outcome));
    if (entry.outcome == ReadManyOutcome::kBatch) write_batch_fields(writer, entry.batch);
    if (entry.outcome == ReadManyOutcome::kFailed) {
      writer.u16(static_cast<uint16_t>(entry.error.code()))
          .bytes(entry.error.message().substr(0, 4096));
    }
  }
  return writer.frame();
}

namespace {

// One entry of a reply; the reader's ok() says whether it was whole.
Result<ReadManyEntry> read_entry(MessageReader& reader, uint64_t store_id) {
  ReadManyEntry entry;
  const uint8_t outcome = reader.u8();
  switch (outcome) {
    case static_cast<uint8_t>(ReadManyOutcome::kBatch):
      entry.outcome = ReadManyOutcome::kBatch;
      entry.batch = read_batch_fields(reader);
      entry.batch.store_id = store_id;
      return entry;
    case static_cast<uint8_t>(ReadManyOutcome::kFailed): {
      entry.outcome = ReadManyOutcome::kFailed;
      const uint16_t code = reader.u16();
      const std::string message(reader.bytes(4096));
      if (code > static_cast<uint16_t>(kLastErrorCode)) {
        return Error(ErrorCode::kCorrupt, "read-many reply: error code " + std::to_string(code));
      }
      entry.error = Error(static_cast<ErrorCode>(code), "peer: " + message);
      return entry;
    }
    case static_cast<uint8_t>(ReadManyOutcome::kNotRead):
      entry.outcome = ReadManyOutcome::kNotRead;
      return entry;
    default:
      return Error(ErrorCode::kCorrupt, "read-many reply: outcome " + std::to_string(outcome));
  }
}

}  // namespace

Result<ReadManyReply> parse_read_many_reply(std::string_view body, size_t expected_entries) {
  MessageReader reader(body);
  ReadManyReply reply;
  reply.store_id = reader.u64();
  const uint32_t n = reader.u32();
  if (reader.type() != MessageType::kReadManyReply)
    return Error(ErrorCode::kCorrupt, "expected read-many reply");
  if (reader.ok() && n != expected_entries) {
    return Error(ErrorCode::kCorrupt, "read-many reply of " + std::to_string(n) + " entries for " +
                                          std::to_string(expected_entries) + " reads");
  }
  for (uint32_t i = 0; i < n && reader.ok(); ++i) {
    Result<ReadManyEntry> entry = read_entry(reader, reply.store_id);
    if (!entry.ok()) return entry.error();
    reply.entries.push_back(std::move(*entry));
  }
  if (Status s = reader.finish("read-many reply"); !s.ok()) return s.error();
  if (!reply.entries.empty() && reply.entries[0].outcome == ReadManyOutcome::kNotRead) {
    return Error(ErrorCode::kCorrupt, "read-many reply: the first read was not answered");
  }
  if (reply.store_id == 0) return Error(ErrorCode::kCorrupt, "read-many reply: store id 0");
  return reply;
}

}  // namespace lj::graceland
