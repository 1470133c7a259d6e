#pragma once
// TlsNetwork: the client side of TLS (OpenSSL) as a Network (prod/io/network.h) wrapped around
// another Network, so logic written against connections (the HTTP client, the syslog sink)
// speaks HTTPS or syslog-over-TLS unchanged. The handshake runs in connect(); OpenSSL works
// on memory buffers and every byte travels through the inner connection, on the caller's
// executor.
//
// Beyond the Network contract:
//  - Client only: listen() is kInvalidArgument.
//  - The server's certificate is verified against `ca_file` (or the system's trust store) and
//    the host name of the address (or `server_name`), which is also sent as SNI. A failed
//    verification is kPermissionDenied naming the reason; other handshake failures are
//    kConnectionReset.
//  - With cert_file and key_file it presents that certificate to servers that ask (mutual
//    TLS: Graceland). A server refusing it is kPermissionDenied.
//  - Connections are TlsConnections (prod/real/tls_connection.h): one operation at a time,
//    and a stream cut without close_notify is kConnectionReset.

#include <openssl/types.h>

#include <memory>
#include <string>

#include "prod/io/network.h"

namespace lj {

struct TlsClientOptions {
  std::string ca_file;      // PEM bundle of trusted certificates; empty: the system's store
  bool verify = true;       // false: accept any certificate (tests, `lj fetch --insecure`)
  std::string server_name;  // the name to verify and send as SNI; empty: the address's host
  std::string cert_file;    // PEM: our certificate (and chain), for mutual TLS; empty: none
  std::string key_file;     // PEM: its private key
};

// Loads our certificate chain and its key into `ctx`, checking they belong together.
Status load_own_certificate(SSL_CTX* ctx, const std::string& cert_file,
                            const std::string& key_file);

class TlsNetwork final : public Network {
 public:
  // kInvalidArgument if the CA file cannot be loaded.
  static Result<std::unique_ptr<TlsNetwork>> create(Network& inner, TlsClientOptions options);
  ~TlsNetwork() override;

  Result<std::unique_ptr<Listener>> listen(const std::string& address) override;
  Task<Result<std::unique_ptr<Connection>>> connect(const std::string& address) override;

 private:
  struct Context;
  TlsNetwork(Network& inner, TlsClientOptions options, std::unique_ptr<Context> context);

  Network& inner_;
  TlsClientOptions options_;
  std::unique_ptr<Context> context_;
};

}  // namespace lj
