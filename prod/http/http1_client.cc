#include "prod/http/http1_client.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "prod/text/base64.h"

namespace lj {

namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr size_t kMaxChunkLineBytes = 1024;
constexpr size_t kMaxTrailerBytes = 8 * 1024;
constexpr int kMaxInterimResponses = 8;

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kCorrupt, "http response: " + what);
}

bool is_request_target(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  return std::all_of(path.begin(), path.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool is_method(const std::string& method) {
  return !method.empty() && method.size() <= 16 &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool has_control_byte(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Buffered reading of one response. Every error it returns is final.
class ResponseReader {
 public:
  explicit ResponseReader(Connection& connection) : connection_(connection) {}

  Task<Result<std::string>> read_head(size_t max_bytes) {
    size_t searched = 0;
    for (;;) {
      const size_t end = buffer_.find("\r\n\r\n", searched >= 3 ? searched - 3 : 0);
      if (end != std::string::npos && end + 4 <= max_bytes) {
        std::string head = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        co_return head;
      }
      if (buffer_.size() >= max_bytes)
        co_return corrupt("head longer than " + std::to_string(max_bytes) + " bytes");
      searched = buffer_.size();
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.error();
      if (*got == 0) {
        co_return Error(buffer_.empty() ? ErrorCode::kConnectionReset : ErrorCode::kUnavailable,
                        "connection closed before a whole response head");
      }
    }
  }

  Task<Result<std::string>> read_line(size_t max_bytes) {
    for (;;) {
      const size_t end = buffer_.find("\r\n");
      if (end != std::string::npos && end <= max_bytes) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        co_return line;
      }
      if (buffer_.size() > max_bytes + 1)
        co_return corrupt("line longer than " + std::to_string(max_bytes) + " bytes");
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.error();
      if (*got == 0) co_return Error(ErrorCode::kUnavailable, "response ended inside a line");
    }
  }

  // Appends exactly `length` bytes to `out`. REQUIRES: `length` was checked against a limit.
  Task<Status> read_exact(uint64_t length, std::string& out) {
    while (buffer_.size() < length) {
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.status();
      if (*got == 0) {
        co_return Error(ErrorCode::kUnavailable, "response body ended after " +
                                                     std::to_string(buffer_.size()) + " of " +
                                                     std::to_string(length) + " bytes");
      }
    }
    if (out.empty() && buffer_.size() == length) {
      out.swap(buffer_);
    } else {
      out.append(buffer_, 0, length);
      buffer_.erase(0, length);
    }
    co_return Status();
  }

  Task<Status> read_to_end(uint64_t max_bytes, std::string& out) {
    for (;;) {
      if (buffer_.size() > max_bytes) {
        co_return Error(ErrorCode::kTooLarge,
                        "response body exceeds " + std::to_string(max_bytes) + " bytes");
      }
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.status();
      if (*got == 0) break;
    }
    out = std::move(buffer_);
    buffer_.clear();
    co_return Status();
  }

 private:
  Task<Result<size_t>> fill() {
    const size_t old_size = buffer_.size();
    buffer_.resize(old_size + kReadChunkBytes);
    std::span<std::byte> room = std::as_writable_bytes(std::span(buffer_).subspan(old_size));
    Result<size_t> got = co_await connection_.read_some(room);
    buffer_.resize(old_size + (got.ok() ? *got : 0));
    if (!got.ok()) co_return got.error();
    co_return *got;
  }

  Connection& connection_;
  std::string buffer_;
};

Task<Status> read_body(ResponseReader& reader, const HttpResponseHead& head, uint64_t max_bytes,
                       std::string& body) {
  if (head.content_length.has_value()) {
    if (*head.content_length > max_bytes) {
      co_return Error(ErrorCode::kTooLarge,
                      "response body of " + std::to_string(*head.content_length) +
                          " bytes exceeds the limit of " + std::to_string(max_bytes));
    }
    body.reserve(*head.content_length);
    co_return co_await reader.read_exact(*head.content_length, body);
  }
  if (!head.chunked) co_return co_await reader.read_to_end(max_bytes, body);
  for (;;) {
    Result<std::string> line = co_await reader.read_line(kMaxChunkLineBytes);
    if (!line.ok()) co_return line.status();
    Result<uint64_t> size = parse_chunk_size(*line);
    if (!size.ok()) co_return size.status();
    if (*size == 0) break;
    if (*size > max_bytes - body.size()) {
      co_return Error(ErrorCode::kTooLarge,
                      "chunked body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    if (Status s = co_await reader.read_exact(*size, body); !s.ok()) co_return s;
    Result<std::string> end = co_await reader.read_line(0);
    if (!end.ok()) co_return end.status();
  }
  size_t trailer_bytes = 0;
  for (;;) {
    Result<std::string> line = co_await reader.read_line(kMaxTrailerBytes);
    if (!line.ok()) co_return line.status();
    if (line->empty()) co_return Status();
    trailer_bytes += line->size() + 2;
    if (trailer_bytes > kMaxTrailerBytes) co_return corrupt("trailer too long");
  }
}

bool has_no_body(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

struct Http1Client::Deadline {
  bool finished = false;
  bool fired = false;
  Connection* connection = nullptr;  // while the request runs
};

Http1Client::Http1Client(Network& network, Clock& clock, Executor& executor,
                         Http1ClientOptions options)
    : network_(network), clock_(clock), executor_(executor), options_(std::move(options)) {
  if (options_.host_header.empty()) options_.host_header = options_.address;
}

Task<void> Http1Client::watch(Clock& clock, Duration timeout, std::shared_ptr<Deadline> deadline) {
  co_await clock.sleep_for(timeout);
  if (deadline->finished) co_return;
  deadline->fired = true;
  if (deadline->connection != nullptr) deadline->connection->close();
}

Result<std::string> basic_authorization(const BasicCredentials& credentials) {
  if (credentials.username.find(':') != std::string::npos ||
      has_control_byte(credentials.username) || has_control_byte(credentials.password)) {
    return Error(ErrorCode::kInvalidArgument,
                 "http: a user name has no ':' and credentials no control bytes");
  }
  if (credentials.username.empty()) return std::string();
  return "Authorization: Basic " +
         base64_encode(credentials.username + ":" + credentials.password) + "\r\n";
}

Task<Result<HttpResponse>> Http1Client::get(const std::string& path,
                                            const BasicCredentials& credentials) {
  Result<std::string> authorization = basic_authorization(credentials);
  if (!authorization.ok()) co_return authorization.error();
  Http1Request request;
  request.target = path;
  request.headers = std::move(*authorization);
  co_return co_await send(request);
}

Task<Result<HttpResponse>> Http1Client::send(const Http1Request& request) {
  const std::string what = "http " + request.method + " " + request.target.substr(0, 200);
  if (!is_method(request.method) || !is_request_target(request.target))
    co_return Error(ErrorCode::kInvalidArgument, what + ": bad method or request target");
  const std::string head =
      request.method + " " + request.target + " HTTP/1.1\r\nHost: " + options_.host_header +
      "\r\nUser-Agent: " + options_.user_agent +
      "\r\nAccept-Encoding: identity\r\nConnection: close\r\n" + request.headers + "\r\n";

  auto deadline = std::make_shared<Deadline>();
  if (options_.timeout.count() > 0) executor_.spawn(watch(clock_, options_.timeout, deadline));
  Result<HttpResponse> response = co_await exchange(head, request, *deadline);
  deadline->finished = true;
  deadline->connection = nullptr;
  if (!response.ok() && deadline->fired) {
    co_return Error(ErrorCode::kTimedOut, what + ": no whole response within " +
                                              std::to_string(options_.timeout.count() / 1'000'000) +
                                              " ms");
  }
  if (!response.ok()) co_return Error(response.code(), what + ": " + response.error().message());
  co_return response;
}

Task<Result<HttpResponse>> Http1Client::exchange(const std::string& request_head,
                                                 const Http1Request& request, Deadline& deadline) {
  Result<std::unique_ptr<Connection>> connection = co_await network_.connect(options_.address);
  if (!connection.ok())
    co_return Error(connection.code(),
                    "connect " + options_.address + ": " + connection.error().message());
  if (deadline.fired) co_return Error(ErrorCode::kTimedOut, "connect took too long");
  deadline.connection = connection->get();
  if (Status s = co_await write_all(**connection, std::as_bytes(std::span(request_head)));
      !s.ok()) {
    co_return Error(s.code(), "send: " + s.error().message());
  }
  if (!request.body.empty()) {
    if (Status s = co_await write_all(**connection, std::as_bytes(std::span(request.body)));
        !s.ok()) {
      co_return Error(s.code(), "send body: " + s.error().message());
    }
  }
  ResponseReader reader(**connection);
  for (int interim = 0;; ++interim) {
    Result<std::string> head_text = co_await reader.read_head(options_.max_head_bytes);
    if (!head_text.ok()) co_return head_text.error();
    Result<HttpResponseHead> head = parse_http_response_head(*head_text);
    if (!head.ok()) co_return head.error();
    if (head->status < 200) {
      if (interim >= kMaxInterimResponses) co_return corrupt("too many interim responses");
      continue;
    }
    if (head->content_coded)
      co_return corrupt("a content coding was applied though none was asked for");
    HttpResponse response;
    response.status = head->status;
    if (request.read_body && !has_no_body(head->status)) {
      if (Status s = co_await read_body(reader, *head, options_.max_body_bytes, response.body);
          !s.ok())
        co_return s.error();
    }
    (*connection)->close();
    co_return response;
  }
}

}  // namespace lj
