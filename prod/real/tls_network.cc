#include "prod/real/tls_network.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <vector>

namespace lj {

namespace {

constexpr size_t kRecordBytes = 16 * 1024 + 512;

std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no detail" : text;
}

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

class TlsConnection final : public Connection {
 public:
  TlsConnection(std::unique_ptr<Connection> inner, SSL* ssl)
      : inner_(std::move(inner)), ssl_(ssl), buffer_(kRecordBytes) {
    // The SSL object owns both memory BIOs once set.
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_.get(), in_, out_);
    SSL_set_connect_state(ssl_.get());
  }

  Task<Status> handshake() {
    for (;;) {
      ERR_clear_error();
      const int result = SSL_do_handshake(ssl_.get());
      if (Status s = co_await flush(); !s.ok()) co_return s;
      if (result == 1) co_return Status();
      const int error = SSL_get_error(ssl_.get(), result);
      if (error == SSL_ERROR_WANT_READ) {
        Result<bool> more = co_await feed();
        if (!more.ok()) co_return more.status();
        if (!*more)
          co_return Error(ErrorCode::kConnectionReset, "tls: the peer closed during the handshake");
        continue;
      }
      const long verify = SSL_get_verify_result(ssl_.get());
      if (verify != X509_V_OK) {
        co_return Error(ErrorCode::kPermissionDenied,
                        std::string("tls: server certificate refused: ") +
                            X509_verify_cert_error_string(verify));
      }
      co_return Error(ErrorCode::kConnectionReset, "tls handshake: " + openssl_errors());
    }
  }

  Task<Result<size_t>> read_some(std::span<std::byte> buffer) override {
    if (buffer.empty()) co_return size_t{0};
    for (;;) {
      ERR_clear_error();
      const int wanted = static_cast<int>(std::min<size_t>(buffer.size(), INT_MAX));
      const int got = SSL_read(ssl_.get(), buffer.data(), wanted);
      if (got > 0) co_return static_cast<size_t>(got);
      const int error = SSL_get_error(ssl_.get(), got);
      if (error == SSL_ERROR_ZERO_RETURN) co_return size_t{0};
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        co_return Error(ErrorCode::kConnectionReset, "tls read: " + openssl_errors());
      }
      if (Status s = co_await flush(); !s.ok()) co_return s.error();
      if (error == SSL_ERROR_WANT_WRITE) continue;
      Result<bool> more = co_await feed();
      if (!more.ok()) co_return more.error();
      if (!*more)
        co_return Error(ErrorCode::kConnectionReset, "tls: the stream ended without close_notify");
    }
  }

  Task<Result<size_t>> write_some(std::span<const std::byte> bytes) override {
    if (bytes.empty()) co_return size_t{0};
    for (;;) {
      ERR_clear_error();
      const int wanted = static_cast<int>(std::min<size_t>(bytes.size(), 1 << 20));
      const int put = SSL_write(ssl_.get(), bytes.data(), wanted);
      if (put > 0) {
        if (Status s = co_await flush(); !s.ok()) co_return s.error();
        co_return static_cast<size_t>(put);
      }
      const int error = SSL_get_error(ssl_.get(), put);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        co_return Error(ErrorCode::kConnectionReset, "tls write: " + openssl_errors());
      }
      if (Status s = co_await flush(); !s.ok()) co_return s.error();
      if (error == SSL_ERROR_WANT_READ) {
        Result<bool> more = co_await feed();
        if (!more.ok()) co_return more.error();
        if (!*more) co_return Error(ErrorCode::kConnectionReset, "tls: the peer closed");
      }
    }
  }

  void close() override { inner_->close(); }
  std::string peer_address() const override { return inner_->peer_address(); }

 private:
  // Sends whatever OpenSSL has queued for the peer.
  Task<Status> flush() {
    while (BIO_ctrl_pending(out_) > 0) {
      const int got = BIO_read(out_, buffer_.data(), static_cast<int>(buffer_.size()));
      if (got <= 0) break;
      std::span<const std::byte> bytes(buffer_.data(), static_cast<size_t>(got));
      if (Status s = co_await write_all(*inner_, bytes); !s.ok()) co_return s;
    }
    co_return Status();
  }

  // Reads from the peer into OpenSSL. false at the end of the stream.
  Task<Result<bool>> feed() {
    std::span<std::byte> room(buffer_.data(), buffer_.size());
    Result<size_t> got = co_await inner_->read_some(room);
    if (!got.ok()) co_return got.error();
    if (*got == 0) co_return false;
    if (BIO_write(in_, buffer_.data(), static_cast<int>(*got)) != static_cast<int>(*got)) {
      co_return Error(ErrorCode::kInternal, "tls: buffering received bytes failed");
    }
    co_return true;
  }

  std::unique_ptr<Connection> inner_;
  std::unique_ptr<SSL, SslFree> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  std::vector<std::byte> buffer_;
};

bool is_ip_literal(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

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
  auto connection = std::make_unique<TlsConnection>(std::move(*inner), ssl);
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
