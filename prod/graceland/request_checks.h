#pragma once
// What GracelandServer does with a client's message once its frame is read, decided without
// I/O: the hello's version, and each request checked against what the peer's grant allows
// and, for a batch, validated whole before any of it is stored (a batch is all or nothing).
// The server's coroutines only read frames, store, and answer; this is their judgement, kept
// apart so the request fuzzer instruments it (clang 14 cannot instrument coroutines).
//
// Every refusal is an Error naming the problem: kPermissionDenied for what the grant does not
// allow, kInvalidArgument or kCorrupt for malformed requests. The server answers it in a kError
// frame and closes the connection.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prod/graceland/peer_grant.h"
#include "prod/graceland/read_many.h"
#include "prod/graceland/wire.h"
#include "prod/io/result.h"

namespace lj::graceland {

// The protocol version a hello asks for, if this server speaks it.
Result<uint16_t> accept_hello(std::string_view body);

// A batch every event of which may be stored: decodable, whole, with an account, and of the
// peer's own streams.
struct ValidatedBatch {
  uint64_t batch_id = 0;
  // (account id as text, the event's record), borrowing the request's body.
  std::vector<std::pair<std::string, std::string_view>> events;
};

// A request, decided: one of a batch to store, a listing, a read, or a read of many accounts.
struct DecidedRequest {
  MessageType type = MessageType::kBatch;
  ValidatedBatch batch;       // kBatch only
  ReadRequest read;           // kRead only
  ReadManyRequest read_many;  // kReadMany only
};

// REQUIRES: `body` outlives the result (a batch's records borrow it).
Result<DecidedRequest> decide_request(const PeerGrant& grant, std::string_view body);

// The parts of decide_request, for its tests.
Result<ValidatedBatch> validate_batch(const PeerGrant& grant, std::string_view body);

}  // namespace lj::graceland
