#pragma once
// TlsConnection: one TLS session (OpenSSL on memory buffers) over another Connection, either
// side. Every byte travels through the inner connection on the caller's executor, so a TLS
// connection has the inner one's deadlines and faults.
//
//  - Client side: handshake() must succeed before use (TlsNetwork::connect runs it). A server
//    certificate that fails verification is kPermissionDenied naming the reason.
//  - Server side: the handshake runs inside the first read, so a client that never finishes
//    it holds only its own connection, bounded by the server's read deadline. A client
//    certificate that fails verification is kPermissionDenied; a client may send none, and
//    then has no peer_identity() (the server decides whether that is allowed).
//  - Other handshake and record failures are kConnectionReset.
//  - One operation at a time: a read and a write must not overlap (either may have to write
//    TLS records of its own).
//  - read_some() returns 0 only after the peer's close_notify; a stream cut without one is
//    kConnectionReset (so a truncated message is never taken for a whole one).

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prod/io/network.h"

namespace lj {

// The text of OpenSSL's queued errors ("no detail" if none), clearing them.
std::string openssl_errors();

class TlsConnection final : public Connection {
 public:
  enum class Side { kClient, kServer };
  // Takes ownership of `ssl`. A server side sends `plaintext_refusal`, unencrypted, to a client
  // whose first bytes are not a TLS handshake (one speaking the plain protocol gets a clear
  // answer in it), and fails the read with kPermissionDenied.
  TlsConnection(std::unique_ptr<Connection> inner, SSL* ssl, Side side,
                std::string plaintext_refusal = "");
  ~TlsConnection() override;

  Task<Status> handshake();

  Task<Result<size_t>> read_some(std::span<std::byte> buffer) override;
  Task<Result<size_t>> write_some(std::span<const std::byte> bytes) override;
  void close() override { inner_->close(); }
  std::string peer_address() const override { return inner_->peer_address(); }
  // The verified client certificate's subject (OU = role, CN = name); a server side only.
  // None if no certificate was sent, or its subject names either field other than once.
  std::optional<PeerIdentity> peer_identity() const override;

 private:
  Task<Status> flush();
  Task<Result<bool>> feed();
  // The error for a failed handshake or record: a refused certificate, or a broken session.
  Error failure(std::string_view what) const;

  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<Connection> inner_;
  std::unique_ptr<SSL, SslFree> ssl_;
  Side side_;
  std::string plaintext_refusal_;
  bool fed_ = false;    // whether any byte came from the peer yet
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  std::vector<std::byte> buffer_;
};

}  // namespace lj
