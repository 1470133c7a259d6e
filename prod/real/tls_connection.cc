#include "prod/real/tls_connection.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

namespace lj {

namespace {

constexpr size_t kRecordBytes = 16 * 1024 + 512;

// The one entry of `nid` in a subject, as UTF-8; none if absent, repeated (which would be
// ambiguous: "OU=reader, OU=proxy") or holding a NUL.
std::optional<std::string> only_entry(const X509_NAME* subject, int nid) {
  const int at = X509_NAME_get_index_by_NID(subject, nid, -1);
  if (at < 0 || X509_NAME_get_index_by_NID(subject, nid, at) >= 0) return std::nullopt;
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  if (text.empty() || text.find('\0') != std::string::npos) return std::nullopt;
  return text;
}

// Whether the queued error is the peer's alert refusing our certificate (TLS 1.3 clients hear
// it on their first read, after their side of the handshake has finished).
bool peer_refused_certificate() {
  const unsigned long code = ERR_peek_error();
  if (ERR_GET_LIB(code) != ERR_LIB_SSL) return false;
  switch (ERR_GET_REASON(code)) {
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

}  // namespace

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

TlsConnection::TlsConnection(std::unique_ptr<Connection> inner, SSL* ssl, Side side,
                             std::string plaintext_refusal)
    : inner_(std::move(inner)),
      ssl_(ssl),
      side_(side),
      plaintext_refusal_(std::move(plaintext_refusal)),
      buffer_(kRecordBytes) {
  // The SSL object owns both memory BIOs once set.
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_.get(), in_, out_);
  if (side_ == Side::kClient) {
    SSL_set_connect_state(ssl_.get());
  } else {
    SSL_set_accept_state(ssl_.get());
  }
}

TlsConnection::~TlsConnection() = default;

Error TlsConnection::failure(std::string_view what) const {
  const char* peer_side = side_ == Side::kClient ? "server" : "client";
  const long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK) {
    ERR_clear_error();
    return Error(ErrorCode::kPermissionDenied,
                 std::string("tls: ") + peer_side +
                     " certificate refused: " + X509_verify_cert_error_string(verify));
  }
  if (peer_refused_certificate()) {
    return Error(ErrorCode::kPermissionDenied, std::string("tls: the ") + peer_side +
                                                   " refused our certificate (" + openssl_errors() +
                                                   ")");
  }
  return Error(ErrorCode::kConnectionReset, "tls " + std::string(what) + ": " + openssl_errors());
}

Task<Status> TlsConnection::handshake() {
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
    co_return failure("handshake");
  }
}

Task<Result<size_t>> TlsConnection::read_some(std::span<std::byte> buffer) {
  if (buffer.empty()) co_return size_t{0};
  for (;;) {
    ERR_clear_error();
    const int wanted = static_cast<int>(std::min<size_t>(buffer.size(), INT_MAX));
    const int got = SSL_read(ssl_.get(), buffer.data(), wanted);
    if (got > 0) co_return static_cast<size_t>(got);
    const int error = SSL_get_error(ssl_.get(), got);
    if (error == SSL_ERROR_ZERO_RETURN) co_return size_t{0};
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      // (A server's alert, say its refusal of our certificate, goes out before we give up.)
      const Error failed = failure("read");
      (void)co_await flush();
      co_return failed;
    }
    if (Status s = co_await flush(); !s.ok()) co_return s.error();
    if (error == SSL_ERROR_WANT_WRITE) continue;
    Result<bool> more = co_await feed();
    if (!more.ok()) co_return more.error();
    if (!*more)
      co_return Error(ErrorCode::kConnectionReset, "tls: the stream ended without close_notify");
  }
}

Task<Result<size_t>> TlsConnection::write_some(std::span<const std::byte> bytes) {
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
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) co_return failure("write");
    if (Status s = co_await flush(); !s.ok()) co_return s.error();
    if (error == SSL_ERROR_WANT_READ) {
      Result<bool> more = co_await feed();
      if (!more.ok()) co_return more.error();
      if (!*more) co_return Error(ErrorCode::kConnectionReset, "tls: the peer closed");
    }
  }
}

std::optional<PeerIdentity> TlsConnection::peer_identity() const {
  if (!SSL_is_init_finished(ssl_.get())) return std::nullopt;
  const X509* certificate = SSL_get0_peer_certificate(ssl_.get());
  if (certificate == nullptr || SSL_get_verify_result(ssl_.get()) != X509_V_OK) return std::nullopt;
  const X509_NAME* subject = X509_get_subject_name(certificate);
  std::optional<std::string> role = only_entry(subject, NID_organizationalUnitName);
  std::optional<std::string> name = only_entry(subject, NID_commonName);
  if (!role || !name) return std::nullopt;
  return PeerIdentity{std::move(*role), std::move(*name)};
}

Task<Status> TlsConnection::flush() {
  while (BIO_ctrl_pending(out_) > 0) {
    const int got = BIO_read(out_, buffer_.data(), static_cast<int>(buffer_.size()));
    if (got <= 0) break;
    std::span<const std::byte> bytes(buffer_.data(), static_cast<size_t>(got));
    if (Status s = co_await write_all(*inner_, bytes); !s.ok()) co_return s;
  }
  co_return Status();
}

Task<Result<bool>> TlsConnection::feed() {
  std::span<std::byte> room(buffer_.data(), buffer_.size());
  Result<size_t> got = co_await inner_->read_some(room);
  if (!got.ok()) co_return got.error();
  if (*got == 0) co_return false;
  constexpr std::byte kHandshakeRecord{0x16};  // every TLS conversation opens with one
  if (side_ == Side::kServer && !fed_ && buffer_[0] != kHandshakeRecord) {
    if (!plaintext_refusal_.empty()) {
      (void)co_await write_all(*inner_, std::as_bytes(std::span(plaintext_refusal_)));
    }
    co_return Error(ErrorCode::kPermissionDenied, "the client did not start TLS (plain TCP?)");
  }
  fed_ = true;
  if (BIO_write(in_, buffer_.data(), static_cast<int>(*got)) != static_cast<int>(*got)) {
    co_return Error(ErrorCode::kInternal, "tls: buffering received bytes failed");
  }
  co_return true;
}

}  // namespace lj
