#pragma once
// The ownership check of a push destination (issue 16): nothing of a customer's is pushed to a
// destination before whoever reads that destination has proved it.
//   1. `lj ctl set --push-url` leaves the customer unconfirmed (CustomerConfig::push_confirmed).
//   2. The customer's owner writes one object there, challenge_object_name(account), holding a
//      fresh random token, and keeps only the token's SHA-256 in ZooKeeper, at
//      <root>/push-challenges/<account> (PushChallenge, fenced like the push cursor).
//   3. The destination's owner reads the token and gives it to the operator, who runs
//      `lj ctl confirm-push --account A --token T` (confirm_push): the token must hash to what
//      ZooKeeper holds for the configuration's url. Then the configuration says push_confirmed,
//      and pushing starts.
// So a typo in a bucket or host name, or an address that is someone else's, gets one small file
// and never a log file; and since ZooKeeper holds only a hash, even an operator who reads it
// cannot confirm a destination nobody read.
//
// PushChallenge is encoded "url=<url>\nsha256=<64 hex>\n"; decoding rejects anything else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "prod/io/coordinator.h"
#include "prod/io/random.h"
#include "prod/io/result.h"
#include "prod/io/task.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

struct PushChallenge {
  std::string url;
  std::string token_sha256;  // lowercase hex
  std::string encode() const;
  static Result<PushChallenge> decode(std::string_view text);
  bool operator==(const PushChallenge&) const = default;
};

// "lumberjack-challenge-<account>.txt", beside the customer's files.
std::string challenge_object_name(uint64_t account);
// 128 random bits as 32 lowercase hex digits.
std::string make_challenge_token(Random& random);
// The challenge object's text: what it is, the token, and what to do with it.
std::string challenge_text(uint64_t account, const std::string& url, const std::string& token);
// The token a challenge object's text holds (its "token=" line), if it has one.
std::optional<std::string> token_in_challenge(std::string_view text);

// Step 3: confirms customer `account`'s destination with `token`. Returns what it did, or why
// not: no such customer or not pushed (kNotFound), no challenge written for its url yet
// (kNotFound: a worker writes it once it holds the customer), a token that does not match
// (kPermissionDenied), the configuration changed meanwhile (kVersionMismatch: run again).
Task<Result<std::string>> confirm_push(CoordinatorSession& session, const ZkLayout& layout,
                                       uint64_t account, std::string token);

}  // namespace lj::lumberjack
