#pragma once
// Byte-stream connections (TCP in the real world). Contract:
//  - Addresses are "host:port" text. The real network takes IPv4/IPv6 literals and
//    "localhost"; the simulated one takes node names. Port 0 asks for any free port:
//    Listener::address() then tells the one chosen.
//  - read_some() waits for at least one byte; it returns 0 only at an orderly end of stream.
//  - write_some() may write fewer bytes than asked (use write_all). Bytes written are not
//    known to have arrived until the peer says so in the protocol: a reset may drop any
//    suffix of them, after a prefix was delivered.
//  - Errors: kConnectionRefused (nobody listens), kTimedOut (no answer), kConnectionReset
//    (the peer or the path died), kCancelled (this side called close() while an operation
//    waited). A peer's orderly close reads as end of stream.
//  - close() is idempotent and makes pending operations on this object finish with
//    kCancelled. Destroying a connection closes it. At most one read and one write may be
//    pending at a time on one connection.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

// Who the other end of a connection proved to be: the subject of a client certificate a TLS
// server verified against its CA (mutual TLS): the organizational unit is the role, the common
// name the name. An address proves nothing: plain connections, and TLS clients that sent no
// certificate, have no identity.
struct PeerIdentity {
  std::string role;
  std::string name;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Task<Result<size_t>> read_some(std::span<std::byte> buffer) = 0;
  virtual Task<Result<size_t>> write_some(std::span<const std::byte> bytes) = 0;
  virtual void close() = 0;
  virtual std::string peer_address() const = 0;
  // What the peer's certificate proves: a client's, known once the first read has returned (a
  // TLS server's handshake runs inside it); a server's, once connect() has returned.
  virtual std::optional<PeerIdentity> peer_identity() const { return std::nullopt; }
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual Task<Result<std::unique_ptr<Connection>>> accept() = 0;
  virtual std::string address() const = 0;
  virtual void close() = 0;
};

class Network {
 public:
  virtual ~Network() = default;
  virtual Result<std::unique_ptr<Listener>> listen(const std::string& address) = 0;
  virtual Task<Result<std::unique_ptr<Connection>>> connect(const std::string& address) = 0;
};

// Writes every byte, looping over short writes.
Task<Status> write_all(Connection& connection, std::span<const std::byte> bytes);
// Reads exactly buffer.size() bytes; an end of stream before that is kConnectionReset.
Task<Status> read_exactly(Connection& connection, std::span<std::byte> buffer);

// Splits "host:port"; "[::1]:80" is accepted for IPv6. Rejects a missing or out-of-range port.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> parse_host_port(const std::string& address);

}  // namespace lj
