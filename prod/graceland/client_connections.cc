#include "prod/graceland/client_connections.h"

#include <limits>

#include "prod/io/invariant.h"

namespace lj::graceland {

ClientConnections::Slot::~Slot() {
  if (owner_ == nullptr) return;
  auto it = owner_->held_.find(client_);
  LJ_ASSERT(it != owner_->held_.end() && it->second > 0);
  if (--it->second == 0) owner_->held_.erase(it);
}

size_t ClientConnections::cap(const PeerGrant& grant) const {
  constexpr size_t kUncapped = std::numeric_limits<size_t>::max();
  if (!grant.may_send || grant.may_read) return kUncapped;  // readers, or authentication off
  const uint64_t ids = grant.last_proxy_id - grant.first_proxy_id + 1;  // >= 1 (peer_grant.h)
  if (ids == 0 || ids > kUncapped / per_proxy_id_) return kUncapped;    // the whole id space
  return static_cast<size_t>(ids) * per_proxy_id_;
}

size_t ClientConnections::held(const std::string& client) const {
  auto it = held_.find(client);
  return it == held_.end() ? 0 : it->second;
}

std::optional<ClientConnections::Slot> ClientConnections::admit(const PeerGrant& grant) {
  const size_t limit = cap(grant);
  if (limit == std::numeric_limits<size_t>::max()) return Slot(nullptr, "");
  size_t& count = held_[grant.who];
  if (count >= limit) {
    if (count == 0) held_.erase(grant.who);
    return std::nullopt;
  }
  ++count;
  return Slot(this, grant.who);
}

}  // namespace lj::graceland
