// The WebDAV object store: its requests and its defensive response parsing against a scripted
// server on the simulated network (deterministic, hostile), then the contract against a real
// nginx with the dav module on loopback (skipped, with the reason, where nginx lacks it).
#include "prod/storage/webdav_object_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "prod/real/asio_runtime.h"
#include "sim/sim_node.h"

extern char** environ;

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
            "Accept-Encoding: identity\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: "
            "3\r\n\r\nxyz");
  EXPECT_EQ(requests_[1],
            "MOVE /objects/a%20b/c%25d HTTP/1.1\r\nHost: dav:80\r\nUser-Agent: lumberjack\r\n"
            "Accept-Encoding: identity\r\nConnection: close\r\nDestination: /objects/pub/e\r\nOverwrite: F\r\n\r\n");
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
          status(409), status(201), status(404), status(409), status(400), status(412), status(200)});
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
  EXPECT_EQ(run(store_->rename("a", "b")).code(), ErrorCode::kAlreadyExists) << "412: the target exists";
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

// ---- A real nginx with the dav module on loopback.

std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// Why nginx cannot serve this test, or empty if it can.
std::string nginx_unusable_reason(std::string& binary) {
  binary = command_output("command -v nginx || ls /usr/sbin/nginx 2>/dev/null");
  while (!binary.empty() && (binary.back() == '\n' || binary.back() == ' ')) binary.pop_back();
  binary = binary.substr(0, binary.find('\n'));
  if (binary.empty()) return "nginx is not installed";
  const std::string version = command_output(binary + " -V 2>&1");
  if (version.find("--with-http_dav_module") == std::string::npos) {
    return binary + " was built without --with-http_dav_module";
  }
  return "";
}

class NginxDavTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string binary;
    if (std::string reason = nginx_unusable_reason(binary); !reason.empty()) GTEST_SKIP() << reason;
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-nginx-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::filesystem::create_directories(dir_ + "/www/objects");
    std::filesystem::create_directories(dir_ + "/temp");
    runtime_ = std::make_unique<RealRuntime>(dir_);

    // A free port: bound, read and released (nginx binds it a moment later).
    auto listener = runtime_->env().network.listen("127.0.0.1:0");
    ASSERT_TRUE(listener.ok());
    address_ = (*listener)->address();
    (*listener)->close();
    listener->reset();

    write_config();
    const std::vector<std::string> args = {
        binary, "-p",         dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf",
        "-g",   "daemon off;"};
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ), 0);
    ASSERT_TRUE(wait_until_serving()) << "nginx did not start:\n" << error_log();

    WebDavOptions options;
    options.address = address_;
    options.timeout = std::chrono::seconds(20);
    Env env = runtime_->env();
    store_ = std::make_unique<WebDavObjectStore>(env.network, env.clock, env.executor, options);
  }

  void TearDown() override {
    store_.reset();
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 500 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    runtime_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void write_config() {
    const std::string port = address_.substr(address_.rfind(':') + 1);
    std::ofstream conf(dir_ + "/nginx.conf");
    if (::geteuid() == 0) conf << "user root;\n";  // workers must write the root's files
    conf << "worker_processes 1;\n"
         << "pid " << dir_ << "/nginx.pid;\n"
         << "error_log " << dir_ << "/error.log;\n"
         << "events { worker_connections 64; }\n"
         << "http {\n"
         << "  access_log off;\n"
         << "  default_type application/octet-stream;\n"
         << "  client_body_temp_path " << dir_ << "/temp/body;\n"
         << "  proxy_temp_path " << dir_ << "/temp/proxy;\n"
         << "  fastcgi_temp_path " << dir_ << "/temp/fastcgi;\n"
         << "  uwsgi_temp_path " << dir_ << "/temp/uwsgi;\n"
         << "  scgi_temp_path " << dir_ << "/temp/scgi;\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << port << ";\n"
         << "    root " << dir_ << "/www;\n"
         << "    client_max_body_size 64m;\n"
         << "    location /objects/ {\n"
         << "      dav_methods PUT DELETE MOVE;\n"
         << "      create_full_put_path on;\n"
         << "      dav_access user:rw;\n"
         << "      autoindex on;\n"
         << "      autoindex_format json;\n"
         << "    }\n"
         << "  }\n"
         << "}\n";
  }

  bool wait_until_serving() {
    for (int attempt = 0; attempt < 250; ++attempt) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      auto connected = runtime_->run(runtime_->env().network.connect(address_));
      if (connected.ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string error_log() {
    std::ifstream in(dir_ + "/error.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  template <typename T>
  T run(Task<T> task) {
    return runtime_->run(std::move(task));
  }
  Status put(const std::string& name, std::string contents) {
    return run(store_->put(name, std::move(contents)));
  }
  std::string get(const std::string& name) {
    Result<std::string> got = run(store_->get(name));
    return got.ok() ? *got : "<" + std::string(error_code_name(got.code())) + ">";
  }
  Names list(const std::string& dir) {
    auto listed = run(store_->list(dir));
    return listed.ok() ? *listed : Names{"<" + listed.error().to_string() + ">"};
  }

  std::string dir_;
  std::string address_;
  pid_t pid_ = -1;
  std::unique_ptr<RealRuntime> runtime_;
  std::unique_ptr<WebDavObjectStore> store_;
};

const std::string kNotFound = "<" + std::string(error_code_name(ErrorCode::kNotFound)) + ">";

TEST_F(NginxDavTest, PutGetRenameRemoveAndList) {
  EXPECT_EQ(get("1001_7/1001_12.log"), kNotFound);
  ASSERT_TRUE(put("1001_7/1001_12.log", "first").ok());
  EXPECT_EQ(get("1001_7/1001_12.log"), "first");
  ASSERT_TRUE(put("1001_7/1001_12.log", "second, longer").ok());
  EXPECT_EQ(get("1001_7/1001_12.log"), "second, longer");
  ASSERT_TRUE(put("1001_7/1001_2.log", "").ok());
  EXPECT_EQ(get("1001_7/1001_2.log"), "");
  ASSERT_TRUE(put("1001_7/sub/deep", "d").ok());
  EXPECT_EQ(list("1001_7"), (Names{"1001_7/1001_12.log", "1001_7/1001_2.log"}));
  EXPECT_EQ(list(""), Names{});
  EXPECT_EQ(list("absent"), Names{});

  ASSERT_TRUE(run(store_->rename("1001_7/1001_12.log", "published/2026/1001_12.log")).ok());
  EXPECT_EQ(get("published/2026/1001_12.log"), "second, longer");
  EXPECT_EQ(get("1001_7/1001_12.log"), kNotFound);
  EXPECT_EQ(run(store_->rename("1001_7/1001_2.log", "published/2026/1001_12.log")).code(), ErrorCode::kAlreadyExists)
      << "Overwrite: F - nginx answers 412";
  EXPECT_EQ(get("published/2026/1001_12.log"), "second, longer") << "a rename never replaces the target";
  EXPECT_EQ(get("1001_7/1001_2.log"), "") << "and moves nothing";
  ASSERT_TRUE(run(store_->rename("1001_7/1001_2.log", "published/2026/1001_2.log")).ok());
  EXPECT_EQ(run(store_->rename("1001_7/1001_2.log", "x")).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(put("same", "s").ok());
  Status onto_itself = run(store_->rename("same", "same"));
  EXPECT_EQ(onto_itself.code(), ErrorCode::kAlreadyExists) << onto_itself.to_string();
  EXPECT_EQ(get("same"), "s") << "renaming onto itself changes nothing";

  ASSERT_TRUE(run(store_->remove("published/2026/1001_12.log")).ok());
  EXPECT_EQ(get("published/2026/1001_12.log"), kNotFound);
  EXPECT_TRUE(run(store_->remove("published/2026/1001_12.log")).ok()) << "absent is ok";
  EXPECT_TRUE(run(store_->remove("no/such/folder")).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/www/objects/published/2026/1001_12.log"));
}

TEST_F(NginxDavTest, BinaryLargeAndOddlyNamedObjectsRoundTrip) {
  std::string big;
  for (uint32_t i = 0; i < 5'000'000; ++i)
    big.push_back(static_cast<char>((i * 2654435761u) >> 24));
  ASSERT_TRUE(put("big/blob", big).ok());
  EXPECT_TRUE(get("big/blob") == big);
  const std::vector<std::string> odd = {
      "sp ace",      "quo\"te",    "per%cent", "plus+hash#q?", "\xc3\xa9t\xc3\xa9",
      "back\\slash", "semi;colon", "...",      ".hidden"};
  for (const std::string& name : odd) {
    ASSERT_TRUE(put("odd/" + name, "v:" + name).ok()) << name;
    EXPECT_EQ(get("odd/" + name), "v:" + name);
  }
  // nginx's autoindex hides names starting with '.': such objects exist but are never listed.
  Names expected;
  for (const std::string& name : odd) {
    if (!name.starts_with('.')) expected.push_back("odd/" + name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(list("odd"), expected);
  ASSERT_TRUE(run(store_->rename("odd/sp ace", "odd/new sp%ace")).ok());
  EXPECT_EQ(get("odd/new sp%ace"), "v:sp ace");
}

TEST_F(NginxDavTest, FoldersAreNotObjects) {
  ASSERT_TRUE(put("dir/inner", "i").ok());
  EXPECT_EQ(get("dir"), kNotFound);
  EXPECT_EQ(run(store_->rename("dir", "moved")).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(run(store_->remove("dir")).ok()) << "no object by that name";
  EXPECT_EQ(get("dir/inner"), "i");
  EXPECT_EQ(put("dir", "x").code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(put("file", "f").ok());
  EXPECT_EQ(put("file/under", "x").code(), ErrorCode::kAlreadyExists) << "nginx says 500";
  EXPECT_EQ(put("file/under/deeper", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("file"), "f");
  EXPECT_EQ(run(store_->rename("dir/inner", "dir")).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("dir/inner"), "i");
}

TEST_F(NginxDavTest, HostileNamesAreRejectedBeforeAnyRequest) {
  ASSERT_TRUE(put("victim", "keep").ok());
  for (const std::string& name :
       {std::string("../x"), std::string("a//b"), std::string("a/./b"), std::string(""),
        std::string("a\0b", 3), std::string("../objects/victim"), std::string("..")}) {
    EXPECT_EQ(put(name, "evil").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->get(name)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->rename("victim", name)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(run(store_->remove(name)).code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(get("victim"), "keep");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/www/x"));
}

TEST_F(NginxDavTest, AStoppedServerIsUnavailable) {
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  EXPECT_EQ(put("a", "1").code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lj
