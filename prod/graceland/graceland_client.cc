#include "prod/graceland/graceland_client.h"

#include "prod/graceland/wire.h"

namespace lj::graceland {

Task<Result<std::unique_ptr<GracelandClient>>> GracelandClient::connect(
    Network& network, const std::string& address, const std::string& client_name) {
  Result<std::unique_ptr<Connection>> connection = co_await network.connect(address);
  if (!connection.ok()) co_return connection.error();
  std::unique_ptr<GracelandClient> client(new GracelandClient(std::move(*connection)));
  Result<std::string> reply =
      co_await client->call(MessageWriter(MessageType::kHello).u16(kProtocolVersion).bytes(client_name).frame());
  if (!reply.ok()) co_return reply.error();
  MessageReader reader(*reply);
  (void)reader.u16();
  if (reader.type() != MessageType::kHelloOk || !reader.finish("hello reply").ok()) {
    co_return Error(ErrorCode::kCorrupt, "unexpected hello reply from " + address);
  }
  co_return client;
}

Task<Result<std::string>> GracelandClient::call(const std::string& frame) {
  if (Status s = co_await write_all(*connection_, std::as_bytes(std::span(frame))); !s.ok()) {
    co_return s.error();
  }
  Result<std::string> body = co_await read_frame(*connection_);
  if (!body.ok()) co_return body.error();
  if (MessageReader(*body).type() == MessageType::kError) co_return decode_error(*body);
  co_return body;
}

Task<Status> GracelandClient::send_batch(uint64_t batch_id, const std::vector<std::string>& records) {
  Result<std::string> reply = co_await call(encode_batch(batch_id, records));
  if (!reply.ok()) co_return reply.status();
  MessageReader reader(*reply);
  const uint64_t acked_id = reader.u64();
  const uint32_t acked_count = reader.u32();
  if (reader.type() != MessageType::kAck || !reader.finish("ack").ok() || acked_id != batch_id ||
      acked_count != records.size()) {
    co_return Error(ErrorCode::kCorrupt, "acknowledgement does not match batch " + std::to_string(batch_id));
  }
  co_return Status();
}

Task<Result<std::vector<AccountExtent>>> GracelandClient::list() {
  Result<std::string> reply = co_await call(MessageWriter(MessageType::kList).frame());
  if (!reply.ok()) co_return reply.error();
  MessageReader reader(*reply);
  const uint32_t n = reader.u32();
  std::vector<AccountExtent> accounts;
  for (uint32_t i = 0; i < n && reader.ok(); ++i) {
    AccountExtent a;
    a.account = std::string(reader.bytes(64));
    a.first.file_index = reader.u32();
    a.first.offset = reader.u64();
    a.end.file_index = reader.u32();
    a.end.offset = reader.u64();
    accounts.push_back(std::move(a));
  }
  if (reader.type() != MessageType::kListReply) co_return Error(ErrorCode::kCorrupt, "expected list reply");
  if (Status s = reader.finish("list reply"); !s.ok()) co_return s.error();
  co_return accounts;
}

Task<Result<ReadBatch>> GracelandClient::read(const std::string& account, Position from, uint32_t max_bytes) {
  Result<std::string> reply = co_await call(
      MessageWriter(MessageType::kRead).bytes(account).u32(from.file_index).u64(from.offset).u32(max_bytes).frame());
  if (!reply.ok()) co_return reply.error();
  MessageReader reader(*reply);
  ReadBatch batch;
  batch.next.file_index = reader.u32();
  batch.next.offset = reader.u64();
  const uint32_t n = reader.u32();
  for (uint32_t i = 0; i < n && reader.ok(); ++i) batch.records.emplace_back(reader.bytes());
  if (reader.type() != MessageType::kReadReply) co_return Error(ErrorCode::kCorrupt, "expected read reply");
  if (Status s = reader.finish("read reply"); !s.ok()) co_return s.error();
  co_return batch;
}

}  // namespace lj::graceland
