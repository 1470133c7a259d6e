#include "prod/push/syslog_tls_sender.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace lj::push {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// Closes the socket when the send ends, whatever way it ends.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// A write to a connection the collector reset raises SIGPIPE, which would end the process: for
// as long as a send lasts its thread blocks the signal, and takes any one raised before it
// unblocks.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
};

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Error failed(const SyslogUrl& url, ErrorCode code, const std::string& what) {
  return Error(code, "syslog collector " + url.host + ":" + std::to_string(url.port) + ": " + what);
}

// The errno of a failed socket call, as the seam's codes.
ErrorCode code_of_errno(int error) {
  switch (error) {
    case EAGAIN:
    case ETIMEDOUT:
      return ErrorCode::kTimedOut;
    case ECONNREFUSED:
      return ErrorCode::kConnectionRefused;
    default:
      return ErrorCode::kConnectionReset;
  }
}

// A connected, blocking socket whose reads and writes end by `timeout`.
Result<int> connect_with_deadline(const SyslogUrl& url, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return failed(url, ErrorCode::kUnavailable, std::string("resolving: ") + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return failed(url, ErrorCode::kIoError, std::strerror(errno));
  Socket guard(fd);
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS)
    return failed(url, code_of_errno(errno), std::string("connect: ") + std::strerror(errno));
  pollfd waiting{fd, POLLOUT, 0};
  const int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
  if (ready == 0) return failed(url, ErrorCode::kTimedOut, "connect: no answer");
  int error = 0;
  socklen_t length = sizeof error;
  if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
    return failed(url, code_of_errno(error), std::string("connect: ") + std::strerror(error));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval deadline{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  const unsigned user_timeout = static_cast<unsigned>(timeout.count());
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof deadline);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
  const int kept = ::dup(fd);  // the guard closes `fd`; the caller owns the copy
  if (kept < 0) return failed(url, ErrorCode::kIoError, std::strerror(errno));
  return kept;
}

// The TLS context: TLS 1.2 or later, the peer verified against `ca_pem`, else `ca_file`, else
// the system store.
Result<std::unique_ptr<SSL_CTX, SslCtxFree>> client_context(const SyslogUrl& url,
                                                            const std::string& ca_pem,
                                                            const std::string& ca_file) {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return failed(url, ErrorCode::kInternal, "TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);  // a bare FIN ends the stream
  if (!ca_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())), BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      added += X509_STORE_add_cert(store, cert);
      X509_free(cert);
    }
    ERR_clear_error();  // the end of the PEM text reads as an error
    if (added == 0) return failed(url, ErrorCode::kInvalidArgument, "no CA certificate in push_ca");
  } else if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
      return failed(url, ErrorCode::kInvalidArgument, ca_file + ": " + openssl_error());
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    return failed(url, ErrorCode::kInternal, "TLS: no system trust store: " + openssl_error());
  }
  return ctx;
}

// What an SSL call that returned `rc` <= 0 means.
Error ssl_failure(const SyslogUrl& url, SSL* ssl, int rc, const char* step) {
  const int kind = SSL_get_error(ssl, rc);
  const int saved = errno;
  // On a blocking socket these mean SO_RCVTIMEO or SO_SNDTIMEO ran out.
  if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE)
    return failed(url, ErrorCode::kTimedOut, std::string(step) + ": no answer in time");
  if (kind == SSL_ERROR_SYSCALL && saved != 0)
    return failed(url, code_of_errno(saved), std::string(step) + ": " + std::strerror(saved));
  if (kind == SSL_ERROR_SSL) {
    const long verified = SSL_get_verify_result(ssl);
    if (verified != X509_V_OK)
      return failed(url, ErrorCode::kPermissionDenied,
                    std::string(step) + ": the collector's certificate: " +
                        X509_verify_cert_error_string(verified));
    return failed(url, ErrorCode::kConnectionReset, std::string(step) + ": " + openssl_error());
  }
  return failed(url, ErrorCode::kConnectionReset,
                std::string(step) + ": the connection ended (" + std::to_string(kind) + ")");
}

// The one deadline of a send: every blocking call gets what is left of it (SO_RCVTIMEO and
// SO_SNDTIMEO set anew before each), so a collector that trickles bytes cannot stretch a put.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout)
      : end_(std::chrono::steady_clock::now() + timeout) {}
  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end_ -
                                                                 std::chrono::steady_clock::now());
  }
  // False once it has passed.
  bool arm(int fd) const {
    const std::chrono::milliseconds remaining = left();
    if (remaining.count() <= 0) return false;
    timeval limit{static_cast<time_t>(remaining.count() / 1000),
                  static_cast<suseconds_t>(remaining.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    return true;
  }

 private:
  std::chrono::steady_clock::time_point end_;
};

constexpr size_t kMaxReadPast = 64 * 1024;

// After the collector's end of stream: it counts only if the collector's kernel acknowledged
// every byte we sent (our FIN included: SIOCOUTQ falls to 0) and never reset the connection. A
// collector that closed on its own while our last bytes were on the way sent its FIN first; the
// bytes that reached it after were answered with a reset, never acknowledged.
Status all_bytes_taken(const SyslogUrl& url, int fd, const Deadline& deadline) {
  for (;;) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
      return failed(url, code_of_errno(error),
                    std::string("the collector closed, then reset: ") + std::strerror(error));
    int unacknowledged = 0;
    if (::ioctl(fd, SIOCOUTQ, &unacknowledged) != 0)
      return failed(url, ErrorCode::kIoError, std::string("SIOCOUTQ: ") + std::strerror(errno));
    if (unacknowledged == 0) return Status::ok_status();
    if (deadline.left().count() <= 0)
      return failed(url, ErrorCode::kTimedOut,
                    std::to_string(unacknowledged) + " bytes never acknowledged");
    pollfd waiting{fd, POLLIN, 0};
    ::poll(&waiting, 1, 5);  // (a reset or the last acknowledgement wakes nothing: look again soon)
  }
}

}  // namespace

Status send_to_syslog_collector(const SyslogUrl& url, const std::string& ca_pem,
                                const std::string& ca_file, std::string_view bytes,
                                std::chrono::milliseconds timeout) {
  const SigpipeBlocked no_sigpipe;
  const Deadline deadline(timeout);
  auto ctx = client_context(url, ca_pem, ca_file);
  if (!ctx.ok()) return ctx.error();
  Result<int> connected = connect_with_deadline(url, deadline.left());
  if (!connected.ok()) return connected.error();
  Socket socket(*connected);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx->get()));
  if (!ssl || SSL_set_fd(ssl.get(), socket.fd()) != 1)
    return failed(url, ErrorCode::kInternal, "TLS: " + openssl_error());
  in6_addr ip{};
  const bool literal = inet_pton(AF_INET, url.host.c_str(), &ip) == 1 ||
                       inet_pton(AF_INET6, url.host.c_str(), &ip) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  if (literal ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) != 1
              : (SSL_set1_host(ssl.get(), url.host.c_str()) != 1 ||
                 SSL_set_tlsext_host_name(ssl.get(), url.host.c_str()) != 1)) {
    return failed(url, ErrorCode::kInternal, "TLS: " + openssl_error());
  }
  if (!deadline.arm(socket.fd())) return failed(url, ErrorCode::kTimedOut, "no time left");
  errno = 0;
  if (int rc = SSL_connect(ssl.get()); rc != 1) return ssl_failure(url, ssl.get(), rc, "handshake");
  while (!bytes.empty()) {
    if (!deadline.arm(socket.fd())) return failed(url, ErrorCode::kTimedOut, "send: out of time");
    errno = 0;
    const int chunk = static_cast<int>(std::min<size_t>(bytes.size(), 1 << 20));
    const int wrote = SSL_write(ssl.get(), bytes.data(), chunk);
    if (wrote <= 0) return ssl_failure(url, ssl.get(), wrote, "send");
    bytes.remove_prefix(static_cast<size_t>(wrote));
  }
  errno = 0;
  if (int rc = SSL_shutdown(ssl.get()); rc < 0) return ssl_failure(url, ssl.get(), rc, "close");
  ::shutdown(socket.fd(), SHUT_WR);
  // A collector says nothing back; what it does say is read past, up to a bound.
  char ignored[4096];
  size_t read_past = 0;
  for (;;) {
    if (!deadline.arm(socket.fd()))
      return failed(url, ErrorCode::kTimedOut, "waiting for the collector to close: out of time");
    errno = 0;
    const int read = SSL_read(ssl.get(), ignored, sizeof ignored);
    if (read > 0 && (read_past += static_cast<size_t>(read)) <= kMaxReadPast) continue;
    if (read > 0)
      return failed(url, ErrorCode::kUnavailable, "the collector talks back instead of closing");
    if (SSL_get_error(ssl.get(), read) == SSL_ERROR_ZERO_RETURN) break;
    return ssl_failure(url, ssl.get(), read, "waiting for the collector to close");
  }
  return all_bytes_taken(url, socket.fd(), deadline);
}

}  // namespace lj::push
