// The WebDAV object store: its requests and its defensive response parsing against a scripted
// server on the simulated network (deterministic, hostile), then the contract against a real
// nginx with the dav module on loopback (skipped, with the reason, where nginx lacks it).
#include "prod/storage/webdav_object_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <optional>

#include "prod/real/asio_runtime.h"
#include "prod/storage/local_nginx_dav.h"
#include "sim/sim_node.h"

namespace lj {
namespace {

using Names = std::vector<std::string>;

// ---- Pure functions.

TEST(WebDavPaths, PercentEncodesAllButUnreservedBytesAndSlashes) {
  EXPECT_EQ(percent_encode_path("1001_7/1001_12.log"), "1001_7/1001_12.log");
  EXPECT_EQ(percent_encode_path("a b/c%d?e#f\"g"), "a%20b/c%25d%3Fe%23f%22g");
  EXPECT_EQ(percent_encode_path("\xff+~"), "%FF%2B~");
}

TEST(WebDavListing, ReadsNginxJsonAutoindexFilesOnly) {
  const std::string json =
      "[\n{ \"name\":\"sub\", \"type\":\"directory\", \"mtime\":\"Wed, 25 Nov 2026 15:34:28 GMT\" "
      "},\n"
      "{ \"name\":\"b.log\", \"type\":\"file\", \"mtime\":\"x\", \"size\":6 },\n"
      "{ \"name\":\"a \\\"q\\\\\\u0001\", \"type\":\"file\", \"size\":1e3 }\n]\n";
  auto files = parse_autoindex_json_files(json);
  ASSERT_TRUE(files.ok()) << files.error().to_string();
  EXPECT_EQ(*files, (Names{"a \"q\\\x01", "b.log"}));
  EXPECT_EQ(parse_autoindex_json_files("[]").value(), Names{});
  EXPECT_EQ(parse_autoindex_json_files(" [ ] ").value(), Names{});
}

TEST(WebDavListing, RejectsMalformedAndHostileListings) {
  for (const std::string bad :
       {"", "[", "{}", "[{]", "[{\"name\":\"a\",\"type\":\"file\"}",
        "[{\"name\":\"a\" \"type\":\"file\"}]", "[{\"name\":\"../x\",\"type\":\"file\"}]",
        "[{\"name\":\"a/b\",\"type\":\"file\"}]", "[{\"name\":\"..\",\"type\":\"file\"}]",
        "[{\"name\":\"\",\"type\":\"file\"}]", "[{\"name\":\"a\\u0000b\",\"type\":\"file\"}]",
        "[{\"type\":\"file\"}]", "[{\"name\":\"a\",\"type\":\"file\"}] x",
        "[{\"name\":\"a\\ud800\",\"type\":\"file\"}]", "[{\"name\":\"a\\q\",\"type\":\"file\"}]",
        "[{\"name\":\"a\nb\",\"type\":\"file\"}]", "[{\"name\":{\"x\":1},\"type\":\"file\"}]",
        "[{\"name\":\"a\",\"type\":\"file\"},]"}) {
    auto files = parse_autoindex_json_files(bad);
    EXPECT_FALSE(files.ok()) << "accepted: " << bad;
    if (!files.ok()) {
      EXPECT_EQ(files.code(), ErrorCode::kCorrupt) << bad;
    }
  }
}

// ---- A scripted server on the simulated network.

// Each accepted connection reads one request, records it, and answers with the next script
// entry (the last one repeats). kSilent: accept, read, never answer.
const std::string kSilent = "<silent>";

class ScriptedDavTest : public ::testing::Test {
 protected:
  ScriptedDavTest() : simulation_(11) {
    server_ = &simulation_.add_node("dav", nullptr);
    client_ = &simulation_.add_node("lumberjack", nullptr);
    server_->start();
    client_->start();
    WebDavOptions options;
    options.address = "dav:80";
    options.max_object_bytes = 1 << 20;
    options.timeout = std::chrono::seconds(5);
    Env env = client_->env();
    store_ = std::make_unique<WebDavObjectStore>(env.network, env.clock, env.executor, options);
  }

  void script(std::vector<std::string> responses) {
    script_.assign(responses.begin(), responses.end());
    auto listener = server_->env().network.listen("dav:80");
    ASSERT_TRUE(listener.ok());
    Listener& l = server_->keep(std::move(*listener));
    server_->spawn(serve(l, server_->env().clock));
  }

  Task<void> serve(Listener& listener, Clock& clock) {
    for (;;) {
      Result<std::unique_ptr<Connection>> accepted = co_await listener.accept();
      if (!accepted.ok()) co_return;
      std::unique_ptr<Connection> connection = std::move(*accepted);
      std::string request;
      std::byte buffer[4096];
      size_t body_wanted = std::string::npos;
      size_t head_end = std::string::npos;
      while (body_wanted == std::string::npos || request.size() < head_end + body_wanted) {
        Result<size_t> got = co_await connection->read_some(buffer);
        if (!got.ok() || *got == 0) break;
        request.append(reinterpret_cast<const char*>(buffer), *got);
        if (head_end == std::string::npos &&
            (head_end = request.find("\r\n\r\n")) != std::string::npos) {
          head_end += 4;
          const size_t at = request.find("Content-Length: ");
          body_wanted = at == std::string::npos ? 0 : std::stoul(request.substr(at + 16));
        }
      }
      requests_.push_back(request);
      const std::string response = script_.size() > 1 ? script_.front() : script_.back();
      if (script_.size() > 1) script_.pop_front();
      if (response == kSilent) {
        co_await clock.sleep_for(std::chrono::hours(1));
        continue;
      }
      (void)co_await write_all(*connection, std::as_bytes(std::span(response)));
      connection->close();
    }
  }

  template <typename T>
  T run(Task<T> task) {
    std::optional<T> result;
    client_->spawn([](Task<T> inner, std::optional<T>& out) -> Task<void> {
      out.emplace(co_await std::move(inner));
    }(std::move(task), result));
    const bool done = simulation_.run_until([&] { return result.has_value(); },
                                            simulation_.now_ns() + 3600'000'000'000);
    EXPECT_TRUE(done);
    if (!done) return T(Error(ErrorCode::kInternal, "test: hung"));
    return std::move(*result);
  }

  sim::Simulation simulation_;
  sim::SimNode* server_;
  sim::SimNode* client_;
  std::unique_ptr<WebDavObjectStore> store_;
  std::deque<std::string> script_;
  std::vector<std::string> requests_;
};

TEST_F(ScriptedDavTest, SendsWellFormedRequests) {
  script({"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"});
  ASSERT_TRUE(run(store_->put("a b/c%d", "xyz")).ok());
  ASSERT_TRUE(run(store_->rename("a b/c%d", "pub/e")).ok());
  ASSERT_TRUE(run(store_->remove("pub/e")).ok());
  ASSERT_EQ(requests_.size(), 3u);
  EXPECT_EQ(requests_[0],
            "PUT /objects/a%20b/c%25d HTTP/1.1\r\nHost: dav:80\r\nUser-Agent: lumberjack\r\n"
            "Accept-Encoding: identity\r\nConnection: close\r\nContent-Type: "
            "application/octet-stream\r\nContent-Length: "
            "3\r\n\r\nxyz");
  EXPECT_EQ(requests_[1],
            "MOVE /objects/a%20b/c%25d HTTP/1.1\r\nHost: dav:80\r\nUser-Agent: lumberjack\r\n"
            "Accept-Encoding: identity\r\nConnection: close\r\nDestination: "
            "/objects/pub/e\r\nOverwrite: F\r\n\r\n");
  EXPECT_TRUE(requests_[2].starts_with("DELETE /objects/pub/e HTTP/1.1\r\n"));
}

TEST_F(ScriptedDavTest, HostileNamesNeverReachTheServer) {
  script({"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"});
  for (const std::string& name : {std::string("../x"), std::string("a//b"), std::string("a/./b"),
                                  std::string(""), std::string("a\0b", 3), std::string("/a")}) {
    EXPECT_EQ(run(store_->put(name, "x")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->get(name)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->rename("ok", name)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->remove(name)).code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(requests_.empty());
}

struct Case {
  std::string response;
  std::optional<ErrorCode> code;  // nullopt: ok
  std::string body;               // expected on ok
};

TEST_F(ScriptedDavTest, ParsesResponsesDefensively) {
  const std::string ok = "HTTP/1.1 200 OK\r\n";
  const std::vector<Case> cases = {
      {ok + "Content-Length: 5\r\n\r\nhello", std::nullopt, "hello"},
      {ok +
           "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
       std::nullopt, "abcde"},
      {ok + "Content-Type: text/plain\r\n\r\nuntil close", std::nullopt, "until close"},
      {"HTTP/1.1 100 Continue\r\n\r\n" + ok + "content-length: 2\r\n\r\nok", std::nullopt, "ok"},
      {ok + "Content-Length: 99999999999\r\n\r\n", ErrorCode::kTooLarge, ""},
      {ok + "Content-Length: 99999999999999999999999\r\n\r\n", ErrorCode::kCorrupt, ""},
      {ok + "Content-Length: -1\r\n\r\n", ErrorCode::kCorrupt, ""},
      {ok + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: gzip\r\n\r\n", ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\n", ErrorCode::kTooLarge, ""},
      {ok + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: chunked\r\n\r\n" + std::string(5000, '0') + "\r\n",
       ErrorCode::kCorrupt, ""},
      {ok + "Transfer-Encoding: chunked\r\n\r\n3\r\nab", ErrorCode::kUnavailable, ""},
      {ok + std::string(100'000, 'x'), ErrorCode::kCorrupt, ""},
      {ok + "\r\n" + std::string((1 << 20) + 1, 'x'), ErrorCode::kTooLarge, ""},
      {ok + "Content-Length: 10\r\n\r\nabc", ErrorCode::kUnavailable, ""},
      {ok + "A: b\r\n folded\r\n\r\n", ErrorCode::kCorrupt, ""},
      {ok + "No colon\r\n\r\n", ErrorCode::kCorrupt, ""},
      {"garbage\r\n\r\n", ErrorCode::kCorrupt, ""},
      {"HTTP/1.1 2x0 OK\r\n\r\n", ErrorCode::kCorrupt, ""},
      {"HTTP/2.0 200 OK\r\n\r\n", ErrorCode::kCorrupt, ""},
      {"HTTP/1.1 099 Low\r\n\r\n", ErrorCode::kCorrupt, ""},
      {"HTTP/1.1 200 OK\r\nContent-Le", ErrorCode::kUnavailable, ""},
      {"", ErrorCode::kUnavailable, ""},
      {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", ErrorCode::kNotFound, ""},
      {"HTTP/1.1 301 Moved\r\nLocation: /objects/x/\r\nContent-Length: 0\r\n\r\n",
       ErrorCode::kNotFound, ""},
      {"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", ErrorCode::kPermissionDenied, ""},
      {"HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n", ErrorCode::kUnavailable, ""},
      {"HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n", ErrorCode::kInternal, ""},
  };
  std::vector<std::string> responses;
  for (const Case& c : cases) responses.push_back(c.response);
  std::string interim_flood;
  for (int i = 0; i < 20; ++i) interim_flood += "HTTP/1.1 100 Continue\r\n\r\n";
  responses.push_back(interim_flood);
  responses.push_back("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");  // the last one repeats
  script(responses);
  for (const Case& c : cases) {
    SCOPED_TRACE("response: " + c.response.substr(0, 120));
    Result<std::string> got = run(store_->get("x"));
    if (!c.code.has_value()) {
      ASSERT_TRUE(got.ok()) << got.error().to_string();
      EXPECT_EQ(*got, c.body);
    } else {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.code(), *c.code) << got.error().to_string();
    }
  }
  EXPECT_EQ(run(store_->get("x")).code(), ErrorCode::kCorrupt) << "an endless run of 1xx answers";
}

TEST_F(ScriptedDavTest, MapsStatusesPerCall) {
  auto status = [](int code) {
    return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: 0\r\n\r\n";
  };
  script({status(201), status(204), status(409), status(413), status(500), status(204), status(404),
          status(409), status(201), status(404), status(409), status(400), status(412),
          status(200)});
  EXPECT_TRUE(run(store_->put("a", "1")).ok());
  EXPECT_TRUE(run(store_->put("a", "2")).ok());
  EXPECT_EQ(run(store_->put("a", "3")).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(run(store_->put("a", "4")).code(), ErrorCode::kTooLarge);
  EXPECT_EQ(run(store_->put("a", "5")).code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(run(store_->remove("a")).ok());
  EXPECT_TRUE(run(store_->remove("a")).ok()) << "404: absent";
  EXPECT_TRUE(run(store_->remove("a")).ok()) << "409: a folder, no such object";
  EXPECT_TRUE(run(store_->rename("a", "b")).ok());
  EXPECT_EQ(run(store_->rename("a", "b")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(run(store_->rename("a", "b")).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(run(store_->rename("a", "b")).code(), ErrorCode::kNotFound) << "400: a folder";
  EXPECT_EQ(run(store_->rename("a", "b")).code(), ErrorCode::kAlreadyExists)
      << "412: the target exists";
}

TEST_F(ScriptedDavTest, ListsAChunkedJsonAutoindex) {
  const std::string json =
      "[{ \"name\":\"d\", \"type\":\"directory\" },{ \"name\":\"b\", \"type\":\"file\" },"
      "{ \"name\":\"a\", \"type\":\"file\" }]";
  const std::string hostile = "[{ \"name\":\"../../etc\", \"type\":\"file\" }]";
  auto chunked = [](const std::string& body) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx", body.size());
    return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) + "\r\n" +
           body + "\r\n0\r\n\r\n";
  };
  script({chunked(json), chunked(json), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
          chunked(hostile), chunked("<html>")});
  EXPECT_EQ(run(store_->list("c/d")).value(), (Names{"c/d/a", "c/d/b"}));
  EXPECT_EQ(run(store_->list("")).value(), (Names{"a", "b"}));
  EXPECT_EQ(run(store_->list("absent")).value(), Names{});
  EXPECT_EQ(run(store_->list("c")).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(run(store_->list("c")).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(run(store_->list("a/")).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(requests_[0].starts_with("GET /objects/c/d/ HTTP/1.1\r\n"));
  EXPECT_TRUE(requests_[1].starts_with("GET /objects/ HTTP/1.1\r\n"));
}

TEST_F(ScriptedDavTest, ASilentServerTimesOut) {
  script({kSilent});
  const int64_t start = simulation_.now_ns();
  EXPECT_EQ(run(store_->put("a", "1")).code(), ErrorCode::kTimedOut);
  const int64_t took_ns = simulation_.now_ns() - start;
  EXPECT_GE(took_ns, 5'000'000'000);
  EXPECT_LT(took_ns, 6'000'000'000);
}

TEST_F(ScriptedDavTest, NoServerIsUnavailable) {
  EXPECT_EQ(run(store_->put("a", "1")).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(run(store_->get("a")).code(), ErrorCode::kUnavailable);
}

// ---- A real nginx with the dav module on loopback. The contract itself runs against it, the
// directory store and the simulated store alike: sim/conformance/object_store_conformance_test.cc.

TEST(NginxDav, AStoppedServerIsUnavailable) {
  if (std::string reason = LocalNginxDav::unusable_reason(); !reason.empty())
    GTEST_SKIP() << reason;
  RealRuntime runtime(std::filesystem::temp_directory_path().string());
  LocalNginxDav nginx;
  ASSERT_TRUE(nginx.start(runtime).ok());
  WebDavOptions options;
  options.address = nginx.address();
  options.timeout = std::chrono::seconds(20);
  Env env = runtime.env();
  WebDavObjectStore store(env.network, env.clock, env.executor, options);
  ASSERT_TRUE(runtime.run(store.put("a", "1")).ok());
  nginx.kill_now();
  EXPECT_EQ(runtime.run(store.put("a", "2")).code(), ErrorCode::kUnavailable);
}

// A store that demands credentials (auth_basic) refuses every call without them, and serves
// the one that has them.
TEST(NginxDav, WithoutCredentialsEveryCallIsRefused) {
  if (std::string reason = LocalNginxDav::unusable_reason(); !reason.empty())
    GTEST_SKIP() << reason;
  RealRuntime runtime(std::filesystem::temp_directory_path().string());
  LocalNginxDav nginx;
  nginx.require_credentials("lumberjack", "s3cret");
  ASSERT_TRUE(nginx.start(runtime).ok());
  Env env = runtime.env();
  WebDavOptions options;
  options.address = nginx.address();
  WebDavObjectStore anonymous(env.network, env.clock, env.executor, options);
  options.credentials = BasicCredentials{"lumberjack", "wrong"};
  WebDavObjectStore guessing(env.network, env.clock, env.executor, options);
  options.credentials = BasicCredentials{"lumberjack", "s3cret"};
  WebDavObjectStore owner(env.network, env.clock, env.executor, options);

  ASSERT_TRUE(runtime.run(owner.put("1001_1/logs.index", "1\n")).ok());
  for (WebDavObjectStore* intruder : {&anonymous, &guessing}) {
    EXPECT_EQ(runtime.run(intruder->put("1001_1/logs.index", "")).code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(runtime.run(intruder->remove("1001_1/logs.index")).code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(runtime.run(intruder->rename("1001_1/logs.index", "x")).code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(runtime.run(intruder->get("1001_1/logs.index")).code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(runtime.run(intruder->list("1001_1")).code(), ErrorCode::kPermissionDenied);
  }
  Result<std::string> kept = runtime.run(owner.get("1001_1/logs.index"));
  ASSERT_TRUE(kept.ok()) << kept.error().to_string();
  EXPECT_EQ(*kept, "1\n");
}

}  // namespace
}  // namespace lj
