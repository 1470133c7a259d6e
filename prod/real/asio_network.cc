#include "prod/real/asio_network.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

namespace lj {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);

// The kernel's own watch on a long-lived connection, under the code's per-call deadlines: an
// idle connection whose peer died silently is probed after 30 s and dropped after three
// unanswered probes 10 s apart, and one whose sent bytes stay unacknowledged for 60 s is
// dropped (TCP_USER_TIMEOUT), instead of the default ~15 minutes of retransmission.
void watch_liveness(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
  const int fd = socket.native_handle();
  const int idle_s = 30, interval_s = 10, probes = 3;
  const unsigned user_timeout_ms = 60'000;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

Error to_error(const boost::system::error_code& ec, const std::string& context) {
  namespace errc = boost::asio::error;
  ErrorCode code = ErrorCode::kInternal;
  if (ec == errc::connection_refused) {
    code = ErrorCode::kConnectionRefused;
  } else if (ec == errc::connection_reset || ec == errc::broken_pipe ||
             ec == errc::connection_aborted || ec == errc::not_connected) {
    code = ErrorCode::kConnectionReset;
  } else if (ec == errc::timed_out) {
    code = ErrorCode::kTimedOut;
  } else if (ec == errc::operation_aborted || ec == errc::bad_descriptor) {
    code = ErrorCode::kCancelled;
  } else if (ec == errc::host_unreachable || ec == errc::network_unreachable) {
    code = ErrorCode::kUnavailable;
  } else if (ec == errc::address_in_use) {
    code = ErrorCode::kAlreadyExists;
  }
  return Error(code, context + ": " + ec.message());
}

Result<tcp::endpoint> resolve_literal(const std::string& address) {
  Result<HostPort> parsed = parse_host_port(address);
  if (!parsed.ok()) return parsed.error();
  std::string host = parsed->host;
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument,
                 "address '" + address + "': host must be an IP literal or localhost");
  }
  return tcp::endpoint(ip, parsed->port);
}

// Awaits one Asio completion: the handler stores its outcome and resumes the coroutine.
template <typename Outcome>
struct AsioAwait {
  explicit AsioAwait(std::function<void(std::function<void(Outcome)>)> begin)
      : start(std::move(begin)) {}
  std::function<void(std::function<void(Outcome)>)> start;
  std::optional<Outcome> outcome;
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> self) {
    start([this, self](Outcome result) {
      outcome.emplace(std::move(result));
      self.resume();
    });
  }
  Outcome await_resume() { return std::move(*outcome); }
};

struct IoOutcome {
  boost::system::error_code ec;
  size_t bytes = 0;
};

class AsioConnection final : public Connection {
 public:
  explicit AsioConnection(tcp::socket socket) : socket_(std::move(socket)) {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    watch_liveness(socket_);
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
  }
  ~AsioConnection() override { close(); }

  Task<Result<size_t>> read_some(std::span<std::byte> buffer) override {
    if (!socket_.is_open()) co_return Error(ErrorCode::kCancelled, "read on closed connection");
    AsioAwait<IoOutcome> out_op([&](auto done) {
      socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                              [done](const boost::system::error_code& ec, size_t n) {
                                done(IoOutcome{ec, n});
                              });
    });
    IoOutcome out = co_await out_op;
    if (out.ec == asio::error::eof) co_return size_t{0};
    if (out.ec) co_return to_error(out.ec, "read from " + peer_);
    co_return out.bytes;
  }

  Task<Result<size_t>> write_some(std::span<const std::byte> bytes) override {
    if (!socket_.is_open()) co_return Error(ErrorCode::kCancelled, "write on closed connection");
    AsioAwait<IoOutcome> out_op([&](auto done) {
      socket_.async_write_some(asio::buffer(bytes.data(), bytes.size()),
                               [done](const boost::system::error_code& ec, size_t n) {
                                 done(IoOutcome{ec, n});
                               });
    });
    IoOutcome out = co_await out_op;
    if (out.ec) co_return to_error(out.ec, "write to " + peer_);
    co_return out.bytes;
  }

  void close() override {
    boost::system::error_code ignored;
    if (socket_.is_open()) {
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
      socket_.close(ignored);
    }
  }

  std::string peer_address() const override { return peer_; }

 private:
  tcp::socket socket_;
  std::string peer_;
};

class AsioListener final : public Listener {
 public:
  AsioListener(asio::io_context& io, tcp::acceptor acceptor)
      : io_(io), acceptor_(std::move(acceptor)) {
    auto local = acceptor_.local_endpoint();
    std::string host = local.address().to_string();
    if (local.address().is_v6()) host = "[" + host + "]";
    address_ = host + ":" + std::to_string(local.port());
  }
  ~AsioListener() override { close(); }

  Task<Result<std::unique_ptr<Connection>>> accept() override {
    if (!acceptor_.is_open()) co_return Error(ErrorCode::kCancelled, "accept on closed listener");
    struct Accepted {
      boost::system::error_code ec;
      std::optional<tcp::socket> socket;
    };
    AsioAwait<Accepted> out_op([&](auto done) {
      acceptor_.async_accept(io_, [done](const boost::system::error_code& ec, tcp::socket s) {
        done(Accepted{ec, std::move(s)});
      });
    });
    Accepted out = co_await out_op;
    if (out.ec) co_return to_error(out.ec, "accept on " + address_);
    co_return std::unique_ptr<Connection>(std::make_unique<AsioConnection>(std::move(*out.socket)));
  }

  std::string address() const override { return address_; }
  void close() override {
    boost::system::error_code ignored;
    if (acceptor_.is_open()) acceptor_.close(ignored);
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::string address_;
};

}  // namespace

Result<std::unique_ptr<Listener>> AsioNetwork::listen(const std::string& address) {
  Result<tcp::endpoint> endpoint = resolve_literal(address);
  if (!endpoint.ok()) return endpoint.error();
  tcp::acceptor acceptor(io_);
  boost::system::error_code ec;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return to_error(ec, "listen on " + address);
  return std::unique_ptr<Listener>(std::make_unique<AsioListener>(io_, std::move(acceptor)));
}

Task<Result<std::unique_ptr<Connection>>> AsioNetwork::connect(const std::string& address) {
  Result<tcp::endpoint> endpoint = resolve_literal(address);
  if (!endpoint.ok()) co_return endpoint.error();
  tcp::socket socket(io_);
  asio::steady_timer deadline(io_, kConnectTimeout);
  bool timed_out = false;
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      timed_out = true;
      boost::system::error_code ignored;
      socket.close(ignored);
    }
  });
  AsioAwait<boost::system::error_code> ec_op([&](auto done) {
    socket.async_connect(*endpoint, [done](const boost::system::error_code& e) { done(e); });
  });
  boost::system::error_code ec = co_await ec_op;
  deadline.cancel();
  if (timed_out) co_return Error(ErrorCode::kTimedOut, "connect to " + address);
  if (ec) co_return to_error(ec, "connect to " + address);
  co_return std::unique_ptr<Connection>(std::make_unique<AsioConnection>(std::move(socket)));
}

}  // namespace lj
