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
//  - A connection carries one operation at a time (a read and a write must not overlap:
//    either may have to write TLS records of its own). The HTTP client and the syslog sink
//    never overlap them.
//  - read_some() returns 0 only after the peer's close_notify; a stream cut without one is
//    kConnectionReset (so a truncated body is never taken for a whole one).

#include <memory>
#include <string>

#include "prod/io/network.h"

namespace lj {

struct TlsClientOptions {
  std::string ca_file;      // PEM bundle of trusted certificates; empty: the system's store
  bool verify = true;       // false: accept any certificate (tests, `lj fetch --insecure`)
  std::string server_name;  // the name to verify and send as SNI; empty: the address's host
};

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
