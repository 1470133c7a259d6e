#pragma once
// TlsServerNetwork: the server side of mutual TLS as a Network wrapped around another, so a
// server written against connections (Graceland) listens over TLS unchanged and learns who
// each client is (Connection::peer_identity, from a client certificate signed by
// `client_ca_file`).
//
// Beyond the Network contract:
//  - Server only: connect() is kInvalidArgument.
//  - accept() returns at once; the handshake runs inside the connection's first read, so a
//    client that stalls it holds up nobody else and is bounded by the server's own deadline.
//  - A client may send no certificate: it then has no identity, and the server decides. A
//    certificate that fails verification ends the connection (kPermissionDenied on the read).
//  - TLS 1.2 or later.

#include <openssl/types.h>

#include <memory>
#include <string>

#include "prod/io/network.h"

namespace lj {

struct TlsServerOptions {
  std::string cert_file;       // PEM: the server's certificate (and chain)
  std::string key_file;        // PEM: its private key
  std::string client_ca_file;  // PEM: the CA whose client certificates are accepted
  // Sent unencrypted to a client that does not start TLS (in the server's own protocol, so a
  // client speaking it in clear reads why it is refused); empty: nothing is sent.
  std::string plaintext_refusal;
};

class TlsServerNetwork final : public Network {
 public:
  // kInvalidArgument if a file cannot be loaded or the key is not the certificate's.
  static Result<std::unique_ptr<TlsServerNetwork>> create(Network& inner,
                                                          const TlsServerOptions& options);
  ~TlsServerNetwork() override;

  Result<std::unique_ptr<Listener>> listen(const std::string& address) override;
  Task<Result<std::unique_ptr<Connection>>> connect(const std::string& address) override;

 private:
  TlsServerNetwork(Network& inner, std::shared_ptr<SSL_CTX> context, std::string plaintext_refusal);

  Network& inner_;
  std::string plaintext_refusal_;
  std::shared_ptr<SSL_CTX> context_;  // shared with the listeners, which may outlive this
};

}  // namespace lj
