// The HTTP/1.1 client against a scripted server on the simulated network: the request it
// sends, each body framing, and a precise error for every malformed or hostile response.
#include "prod/http/http1_client.h"

#include <gtest/gtest.h>

#include <optional>

#include "sim/sim_node.h"

namespace lj {
namespace {

constexpr int64_t kSecond_ns = 1'000'000'000;
const std::string kSilent = "<silent>";

class Http1ClientTest : public ::testing::Test {
 protected:
  Http1ClientTest() : simulation_(3) {
    server_ = &simulation_.add_node("nginx", nullptr);
    client_ = &simulation_.add_node("customer", nullptr);
    server_->start();
    client_->start();
    Http1ClientOptions options;
    options.address = "nginx:443";
    options.host_header = "logs.example.com";
    options.max_body_bytes = 1000;
    options.timeout = std::chrono::seconds(5);
    Env env = client_->env();
    client_http_ = std::make_unique<Http1Client>(env.network, env.clock, env.executor, options);
  }

  // Every connection: read the request head, answer `response` (split in small writes), close.
  void serve(std::string response) {
    response_ = std::move(response);
    auto listener = server_->env().network.listen("nginx:443");
    ASSERT_TRUE(listener.ok());
    Listener& l = server_->keep(std::move(*listener));
    server_->spawn(accept_loop(l));
  }
  Task<void> accept_loop(Listener& listener) {
    for (;;) {
      Result<std::unique_ptr<Connection>> accepted = co_await listener.accept();
      if (!accepted.ok()) co_return;
      std::unique_ptr<Connection> connection = std::move(*accepted);
      std::string request;
      std::byte buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        Result<size_t> got = co_await connection->read_some(buffer);
        if (!got.ok() || *got == 0) break;
        request.append(reinterpret_cast<const char*>(buffer), *got);
      }
      last_request_ = request;
      if (response_ == kSilent) {
        server_->keep(std::move(connection));
        continue;
      }
      for (size_t at = 0; at < response_.size(); at += 7) {
        const std::string piece = response_.substr(at, 7);
        if (!(co_await write_all(*connection, std::as_bytes(std::span(piece)))).ok()) break;
      }
      connection->close();
    }
  }

  Result<HttpResponse> get(const std::string& path = "/1001_7/logs.index") {
    std::optional<Result<HttpResponse>> result;
    BasicCredentials credentials{"alice", "s3cret:x"};
    client_->spawn([](HttpClient& http, std::string p, BasicCredentials c,
                      std::optional<Result<HttpResponse>>& out) -> Task<void> {
      out.emplace(co_await http.get(p, c));
    }(*client_http_, path, credentials, result));
    const bool done = simulation_.run_until([&] { return result.has_value(); },
                                            simulation_.now_ns() + 60 * kSecond_ns);
    EXPECT_TRUE(done);
    if (!done) return Error(ErrorCode::kInternal, "test: hung");
    return std::move(*result);
  }

  sim::Simulation simulation_;
  sim::SimNode* server_ = nullptr;
  sim::SimNode* client_ = nullptr;
  std::unique_ptr<Http1Client> client_http_;
  std::string response_;
  std::string last_request_;
};

TEST_F(Http1ClientTest, SendsAPlainGetWithBasicCredentials) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n1001_1.log\n");
  Result<HttpResponse> response = get();
  ASSERT_TRUE(response.ok()) << response.error().to_string();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "1001_1.log\n");
  EXPECT_EQ(
      last_request_,
      "GET /1001_7/logs.index HTTP/1.1\r\nHost: logs.example.com\r\nUser-Agent: lj-fetch/1\r\n"
      "Accept-Encoding: identity\r\nConnection: close\r\n"
      "Authorization: Basic YWxpY2U6czNjcmV0Ong=\r\n\r\n");
}

TEST_F(Http1ClientTest, ReadsChunkedAndCloseDelimitedBodies) {
  serve(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n "
      "world\r\n0\r\nT: v\r\n\r\n");
  EXPECT_EQ(get()->body, "hello world");
  server_->restart();
  serve("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end");
  EXPECT_EQ(get()->body, "until the end");
}

TEST_F(Http1ClientTest, ErrorStatusesAreValuesAndInterimResponsesAreSkipped) {
  serve("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 3\r\n\r\nno!");
  Result<HttpResponse> response = get();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->body, "no!");
}

TEST_F(Http1ClientTest, RefusesMalformedAndHostileResponses) {
  const std::vector<std::pair<std::string, ErrorCode>> cases = {
      {"SSH-2.0-OpenSSH\r\n\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 2000 OK\r\n\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
       ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", ErrorCode::kTooLarge},
      {"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\nxx",
       ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrorCode::kCorrupt},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffff\r\n", ErrorCode::kTooLarge},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ErrorCode::kUnavailable},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", ErrorCode::kUnavailable},
      {"HTTP/1.1 200 OK\r\n" + std::string(20000, 'x'), ErrorCode::kCorrupt},
      {"", ErrorCode::kConnectionReset},
      {kSilent, ErrorCode::kTimedOut},
  };
  for (const auto& [response, code] : cases) {
    server_->restart();
    serve(response);
    Result<HttpResponse> got = get();
    ASSERT_FALSE(got.ok()) << response.substr(0, 60);
    EXPECT_EQ(got.code(), code) << response.substr(0, 60) << ": " << got.error().to_string();
  }
}

TEST_F(Http1ClientTest, RefusedConnectionsAndBadRequestsAreErrors) {
  EXPECT_EQ(get().code(), ErrorCode::kConnectionRefused) << "nobody listens";
  serve("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(get("no-slash").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(get("/a b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(get("/a\r\nX: y").code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(get("/ok").ok());
}

}  // namespace
}  // namespace lj
