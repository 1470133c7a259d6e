#include "prod/graceland/graceland_client.h"

#include "prod/graceland/wire.h"
#include "prod/io/invariant.h"

namespace lj::graceland {

Task<Result<std::unique_ptr<GracelandClient>>> GracelandClient::connect(
    const Env& env, const std::string& address, const std::string& client_name,
    Duration call_timeout, std::string expected_pop) {
  Result<std::unique_ptr<Connection>> connection = co_await env.network.connect(address);
  if (!connection.ok()) co_return connection.error();
  if (const std::optional<PeerIdentity> server = (*connection)->peer_identity()) {
    if (server->role != "graceland" || (!expected_pop.empty() && server->name != expected_pop)) {
      (*connection)->close();
      co_return Error(
          ErrorCode::kPermissionDenied,
          address + " proved the identity of " + server->role + " '" + server->name + "', not " +
              (expected_pop.empty() ? "a Graceland" : "the Graceland of PoP " + expected_pop));
    }
  }
  std::unique_ptr<GracelandClient> client(
      new GracelandClient(env, std::move(*connection), call_timeout));
  Result<std::string> reply = co_await client->call(
      MessageWriter(MessageType::kHello).u16(kProtocolVersion).bytes(client_name).frame());
  if (!reply.ok()) co_return reply.error();
  MessageReader reader(*reply);
  const uint16_t version = reader.u16();
  if (reader.type() != MessageType::kHelloOk || !reader.finish("hello reply").ok()) {
    co_return Error(ErrorCode::kCorrupt, "unexpected hello reply from " + address);
  }
  if (version != kProtocolVersion) {
    co_return Error(ErrorCode::kInvalidArgument, address + " speaks protocol version " +
                                                     std::to_string(version) + ", not " +
                                                     std::to_string(kProtocolVersion));
  }
  co_return client;
}

Task<Result<std::string>> GracelandClient::call(const std::string& frame) {
  watchdog_.begin_call();
  Result<std::string> body = co_await exchange(frame);
  watchdog_.end_call();
  if (!body.ok() && watchdog_.fired()) {
    co_return Error(ErrorCode::kTimedOut,
                    "no answer from Graceland " + connection_->peer_address() + " within " +
                        std::to_string(watchdog_.timeout().count() / 1'000'000) + " ms");
  }
  if (!body.ok()) co_return body.error();
  if (MessageReader(*body).type() == MessageType::kError) co_return decode_error(*body);
  co_return body;
}

Task<Result<std::string>> GracelandClient::exchange(const std::string& frame) {
  if (Status s = co_await write_all(*connection_, std::as_bytes(std::span(frame))); !s.ok()) {
    co_return s.error();
  }
  co_return co_await read_frame(*connection_);
}

Task<Status> GracelandClient::send_batch(uint64_t batch_id,
                                         const std::vector<std::string>& records) {
  Result<std::string> reply = co_await call(encode_batch(batch_id, records));
  if (!reply.ok()) co_return reply.status();
  MessageReader reader(*reply);
  const uint64_t acked_id = reader.u64();
  const uint32_t acked_count = reader.u32();
  if (reader.type() != MessageType::kAck || !reader.finish("ack").ok() || acked_id != batch_id ||
      acked_count != records.size()) {
    co_return Error(ErrorCode::kCorrupt,
                    "acknowledgement does not match batch " + std::to_string(batch_id));
  }
  co_return Status();
}

Task<Result<ListReply>> GracelandClient::list() {
  Result<std::string> reply = co_await call(MessageWriter(MessageType::kList).frame());
  if (!reply.ok()) co_return reply.error();
  co_return parse_list_reply(*reply, kProtocolVersion);
}

Task<Result<ReadBatch>> GracelandClient::read(const std::string& account, Position from,
                                              uint32_t max_bytes) {
  const std::string request = MessageWriter(MessageType::kRead)
                                  .bytes(account)
                                  .u32(from.file_index)
                                  .u64(from.offset)
                                  .u32(max_bytes)
                                  .frame();
  Result<std::string> reply = co_await call(request);
  if (!reply.ok()) co_return reply.error();
  co_return parse_read_reply(*reply, kProtocolVersion);
}

Task<Result<ReadManyReply>> GracelandClient::read_many(const ReadManyRequest& request) {
  LJ_ASSERT(!request.reads.empty() && request.reads.size() <= kMaxReadManyAccounts);
  const std::string frame = encode_read_many(request);
  Result<std::string> reply = co_await call(frame);
  if (!reply.ok()) co_return reply.error();
  co_return parse_read_many_reply(*reply, request.reads.size());
}

}  // namespace lj::graceland
