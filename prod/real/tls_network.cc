#include "prod/real/tls_network.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "prod/real/tls_connection.h"

namespace lj {

namespace {

bool is_ip_literal(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

Status load_own_certificate(SSL_CTX* ctx, const std::string& cert_file,
                            const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: a certificate needs both its file and its key's");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: cannot load certificate " + cert_file + ": " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: cannot load key " + key_file + ": " + openssl_errors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: " + key_file + " is not the key of " + cert_file);
  }
  return Status();
}

struct TlsNetwork::Context {
  SSL_CTX* ctx = nullptr;
  ~Context() { SSL_CTX_free(ctx); }
};

Result<std::unique_ptr<TlsNetwork>> TlsNetwork::create(Network& inner, TlsClientOptions options) {
  auto context = std::make_unique<Context>();
  context->ctx = SSL_CTX_new(TLS_client_method());
  if (context->ctx == nullptr) return Error(ErrorCode::kInternal, "tls: " + openssl_errors());
  SSL_CTX_set_min_proto_version(context->ctx, TLS1_2_VERSION);
  if (options.verify) {
    SSL_CTX_set_verify(context->ctx, SSL_VERIFY_PEER, nullptr);
    const int loaded =
        options.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(context->ctx)
            : SSL_CTX_load_verify_locations(context->ctx, options.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return Error(ErrorCode::kInvalidArgument,
                   "tls: cannot load trusted certificates " +
                       (options.ca_file.empty() ? std::string("(system store)") : options.ca_file) +
                       ": " + openssl_errors());
    }
  } else {
    SSL_CTX_set_verify(context->ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.cert_file.empty() || !options.key_file.empty()) {
    if (Status s = load_own_certificate(context->ctx, options.cert_file, options.key_file); !s.ok())
      return s.error();
  }
  return std::unique_ptr<TlsNetwork>(new TlsNetwork(inner, std::move(options), std::move(context)));
}

TlsNetwork::TlsNetwork(Network& inner, TlsClientOptions options, std::unique_ptr<Context> context)
    : inner_(inner), options_(std::move(options)), context_(std::move(context)) {}

TlsNetwork::~TlsNetwork() = default;

Result<std::unique_ptr<Listener>> TlsNetwork::listen(const std::string& address) {
  return Error(ErrorCode::kInvalidArgument, "tls: no server side (" + address + ")");
}

Task<Result<std::unique_ptr<Connection>>> TlsNetwork::connect(const std::string& address) {
  Result<HostPort> host_port = parse_host_port(address);
  if (!host_port.ok()) co_return host_port.error();
  const std::string name = options_.server_name.empty() ? host_port->host : options_.server_name;
  Result<std::unique_ptr<Connection>> inner = co_await inner_.connect(address);
  if (!inner.ok()) co_return inner.error();
  SSL* ssl = SSL_new(context_->ctx);
  if (ssl == nullptr) co_return Error(ErrorCode::kInternal, "tls: " + openssl_errors());
  auto connection =
      std::make_unique<TlsConnection>(std::move(*inner), ssl, TlsConnection::Side::kClient);
  if (is_ip_literal(name)) {
    if (options_.verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) {
      co_return Error(ErrorCode::kInvalidArgument, "tls: bad address " + name);
    }
  } else {
    SSL_set_tlsext_host_name(ssl, name.c_str());
    if (options_.verify && SSL_set1_host(ssl, name.c_str()) != 1) {
      co_return Error(ErrorCode::kInvalidArgument, "tls: bad host name " + name);
    }
  }
  if (Status s = co_await connection->handshake(); !s.ok())
    co_return Error(s.code(), address + ": " + s.error().message());
  co_return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace lj
