#pragma once
// PushCursor: how far a customer's push destination has acknowledged, kept in ZooKeeper at
// <root>/pushed/<account> (zk_layout.h) and written only by the customer's owner, fenced like
// its checkpoint. "through": every file up to it was acknowledged by the destination at `url`
// (or had expired before it could be pushed, and was said so). A cursor for another url than
// the configuration's is for an earlier destination: the new one starts afresh.
//
// Encoded as "url=<url>\nthrough=<n>\n"; decoding rejects anything else.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::lumberjack {

struct PushCursor {
  std::string url;
  uint64_t through = 0;
  std::string encode() const;
  static Result<PushCursor> decode(std::string_view text);
  bool operator==(const PushCursor&) const = default;
};

}  // namespace lj::lumberjack
