#include "prod/graceland/request_checks.h"

#include "prod/event/event_record.h"

namespace lj::graceland {

Result<uint16_t> accept_hello(std::string_view body) {
  Result<uint16_t> asked = parse_hello(body);
  if (!asked.ok()) return asked.error();
  if (*asked < kOldestProtocolVersion || *asked > kProtocolVersion) {
    return Error(ErrorCode::kInvalidArgument, "protocol version " + std::to_string(*asked) +
                                                  " unsupported; this server speaks " +
                                                  std::to_string(kOldestProtocolVersion) + " to " +
                                                  std::to_string(kProtocolVersion));
  }
  return *asked;
}

Result<ValidatedBatch> validate_batch(const PeerGrant& grant, std::string_view body) {
  Result<BatchRequest> batch = parse_batch(body);
  if (!batch.ok()) return batch.error();
  ValidatedBatch validated;
  validated.batch_id = batch->batch_id;
  const size_t count = batch->records.size();
  validated.events.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const std::string_view record = batch->records[i];
    Result<DecodedEventRecord> decoded = decode_event_record(record);
    if (!decoded.ok()) {
      return Error(decoded.code(), "event " + std::to_string(i) + " of batch " +
                                       std::to_string(validated.batch_id) + ": " +
                                       decoded.error().message());
    }
    if (decoded->record_bytes != record.size()) {
      return Error(ErrorCode::kCorrupt, "event " + std::to_string(i) + " has trailing bytes");
    }
    if (decoded->event.account_id == 0) {
      return Error(ErrorCode::kInvalidArgument, "event " + std::to_string(i) + " has no account");
    }
    // A proxy's events carry its own ids only: no sender can forge another's stream, or
    // pre-empt its future ids in the dedupe state.
    if (Status allowed = may_send_event(grant, decoded->event.id); !allowed.ok())
      return allowed.error();
    validated.events.emplace_back(std::to_string(decoded->event.account_id), record);
  }
  return validated;
}

Result<DecidedRequest> decide_request(const PeerGrant& grant, std::string_view body) {
  DecidedRequest decided;
  MessageReader reader(body);
  decided.type = reader.type();
  switch (decided.type) {
    case MessageType::kBatch: {
      Result<ValidatedBatch> batch = validate_batch(grant, body);
      if (!batch.ok()) return batch.error();
      decided.batch = std::move(*batch);
      return decided;
    }
    case MessageType::kList: {
      if (!grant.may_read)
        return Error(ErrorCode::kPermissionDenied, grant.who + " may not list customers");
      if (Status s = reader.finish("list"); !s.ok()) return s.error();
      return decided;
    }
    case MessageType::kRead: {
      if (!grant.may_read)
        return Error(ErrorCode::kPermissionDenied, grant.who + " may not read events");
      Result<ReadRequest> request = parse_read(body);
      if (!request.ok()) return request.error();
      decided.read = std::move(*request);
      return decided;
    }
    case MessageType::kReadMany: {
      if (!grant.may_read)
        return Error(ErrorCode::kPermissionDenied, grant.who + " may not read events");
      Result<ReadManyRequest> request = parse_read_many(body);
      if (!request.ok()) return request.error();
      decided.read_many = std::move(*request);
      return decided;
    }
    default:
      return Error(ErrorCode::kCorrupt,
                   "unexpected message type " + std::to_string(static_cast<int>(decided.type)));
  }
}

}  // namespace lj::graceland
