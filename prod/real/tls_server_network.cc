#include "prod/real/tls_server_network.h"

#include <openssl/ssl.h>

#include "prod/real/tls_connection.h"
#include "prod/real/tls_network.h"

namespace lj {

namespace {

class TlsListener final : public Listener {
 public:
  TlsListener(std::unique_ptr<Listener> inner, std::shared_ptr<SSL_CTX> context,
              std::string plaintext_refusal)
      : inner_(std::move(inner)),
        context_(std::move(context)),
        plaintext_refusal_(std::move(plaintext_refusal)) {}

  Task<Result<std::unique_ptr<Connection>>> accept() override {
    Result<std::unique_ptr<Connection>> inner = co_await inner_->accept();
    if (!inner.ok()) co_return inner.error();
    SSL* ssl = SSL_new(context_.get());
    if (ssl == nullptr) co_return Error(ErrorCode::kInternal, "tls: " + openssl_errors());
    co_return std::unique_ptr<Connection>(std::make_unique<TlsConnection>(
        std::move(*inner), ssl, TlsConnection::Side::kServer, plaintext_refusal_));
  }
  std::string address() const override { return inner_->address(); }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<Listener> inner_;
  std::shared_ptr<SSL_CTX> context_;
  std::string plaintext_refusal_;
};

}  // namespace

Result<std::unique_ptr<TlsServerNetwork>> TlsServerNetwork::create(
    Network& inner, const TlsServerOptions& options) {
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (context == nullptr) return Error(ErrorCode::kInternal, "tls: " + openssl_errors());
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  if (Status s = load_own_certificate(context.get(), options.cert_file, options.key_file); !s.ok())
    return s.error();
  if (options.client_ca_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: a server needs the CA of its clients' certificates");
  }
  if (SSL_CTX_load_verify_locations(context.get(), options.client_ca_file.c_str(), nullptr) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "tls: cannot load client CA " + options.client_ca_file + ": " + openssl_errors());
  }
  // Ask for a certificate and verify any that comes; a client without one gets no identity.
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nullptr);
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
  if (names != nullptr) SSL_CTX_set_client_CA_list(context.get(), names);
  return std::unique_ptr<TlsServerNetwork>(
      new TlsServerNetwork(inner, std::move(context), options.plaintext_refusal));
}

TlsServerNetwork::TlsServerNetwork(Network& inner, std::shared_ptr<SSL_CTX> context,
                                   std::string plaintext_refusal)
    : inner_(inner),
      plaintext_refusal_(std::move(plaintext_refusal)),
      context_(std::move(context)) {}

TlsServerNetwork::~TlsServerNetwork() = default;

Result<std::unique_ptr<Listener>> TlsServerNetwork::listen(const std::string& address) {
  Result<std::unique_ptr<Listener>> inner = inner_.listen(address);
  if (!inner.ok()) return inner.error();
  return std::unique_ptr<Listener>(
      std::make_unique<TlsListener>(std::move(*inner), context_, plaintext_refusal_));
}

Task<Result<std::unique_ptr<Connection>>> TlsServerNetwork::connect(const std::string& address) {
  co_return Error(ErrorCode::kInvalidArgument,
                  "tls: a server network does not connect (" + address + ")");
}

}  // namespace lj
