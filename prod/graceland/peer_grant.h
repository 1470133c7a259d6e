#pragma once
// What a Graceland client may do, decided from who it proved to be (a client certificate
// checked by mutual TLS: prod/io/network.h PeerIdentity), never from its address or from what
// it says in its hello.
//
// Roles (the certificate's OU):
//  - "proxy": sends batches, and only of event ids in its own streams. Its CN is its proxy id
//    ("17"), or an inclusive range "17-20" for one host running several proxies; an event's
//    stream belongs to proxy stream / kStreamsPerProxy. A proxy cannot list or read.
//  - "lumberjack" (a worker) and "operator" (`lj ctl status`, `lj check`): list and read; they
//    cannot send.
// Any other role, or none, may do nothing. With authentication off (a Graceland started with
// --plaintext, for benchmarks and local development) everyone may do everything.

#include <cstdint>
#include <optional>
#include <string>

#include "prod/event/attack_event.h"
#include "prod/io/network.h"
#include "prod/io/result.h"

namespace lj::graceland {

struct PeerGrant {
  std::string who;  // "proxy 17-20", "lumberjack lj-1", or "anyone" (authentication off)
  bool may_send = false;
  bool may_read = false;
  uint64_t first_proxy_id = 0;  // the proxies whose streams it may send (may_send only)
  uint64_t last_proxy_id = 0;
};

// Everything, for anyone: authentication is off.
PeerGrant grant_everything();
// The grant of an authenticated peer; kPermissionDenied, naming why, for none or a role or
// name that grants nothing.
Result<PeerGrant> grant_for(const std::optional<PeerIdentity>& identity);
// ok if `grant` may send the event `id`; kPermissionDenied naming the stream otherwise.
Status may_send_event(const PeerGrant& grant, const EventId& id);

}  // namespace lj::graceland
