#pragma once
// ClientConnections: how many connections each identified client holds, so one proxy
// certificate (stolen, or a proxy gone wrong) cannot take every connection slot of a PoP.
//
// A proxy certificate may hold `per_proxy_id` connections for each proxy id it names (a proxy
// needs one; a reconnection overlaps its old one briefly). Lumberjack and operator
// certificates are not capped here: a Lumberjack node holds one connection per customer per
// PoP, thousands of them, and those certificates live in the core, not on every edge host.
// Without authentication (grant_everything) nothing is counted: plaintext is for benchmarks.
//
// admit() returns a Slot that gives its connection back when destroyed.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "prod/graceland/peer_grant.h"

namespace lj::graceland {

class ClientConnections {
 public:
  explicit ClientConnections(size_t per_proxy_id) : per_proxy_id_(per_proxy_id) {}

  class Slot {
   public:
    Slot(ClientConnections* owner, std::string client)
        : owner_(owner), client_(std::move(client)) {}
    Slot(Slot&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), client_(std::move(other.client_)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    ClientConnections* owner_;  // null: moved from, or nothing counted
    std::string client_;
  };

  // A slot for one more connection of `grant`'s client, or nullopt if it holds its cap.
  std::optional<Slot> admit(const PeerGrant& grant);
  // The cap of `grant`'s client (SIZE_MAX: not capped).
  size_t cap(const PeerGrant& grant) const;
  size_t held(const std::string& client) const;

 private:
  size_t per_proxy_id_;
  std::map<std::string, size_t> held_;  // clients holding at least one connection
};

}  // namespace lj::graceland
