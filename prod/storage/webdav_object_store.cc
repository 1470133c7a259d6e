#include "prod/storage/webdav_object_store.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <optional>

namespace lj {

namespace {

constexpr size_t kReadChunkBytes = 16 * 1024;
constexpr size_t kMaxChunkLineBytes = 1024;
constexpr size_t kMaxTrailerBytes = 8 * 1024;
constexpr int kMaxInterimResponses = 8;

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kCorrupt, "webdav response: " + what);
}

// A failure of the connection itself. After the request left, the server may have applied it:
// kUnavailable, whichever way the stream broke; a connect or read timeout stays kTimedOut.
Error connection_error(const Error& cause, const std::string& what) {
  if (cause.code() == ErrorCode::kTimedOut)
    return Error(ErrorCode::kTimedOut, what + ": " + cause.message());
  return Error(ErrorCode::kUnavailable, what + ": " + cause.to_string());
}

// The error for an HTTP status no caller-specific rule took.
Error status_error(int status, const std::string& what) {
  const std::string text = what + ": HTTP " + std::to_string(status);
  switch (status) {
    case 404:
      return Error(ErrorCode::kNotFound, text);
    case 409:
      return Error(
          ErrorCode::kAlreadyExists,
          text + " (an object is where a folder is needed, or a folder where an object is)");
    case 413:
      return Error(ErrorCode::kTooLarge, text);
    case 401:
    case 403:
      return Error(ErrorCode::kPermissionDenied, text);
    case 400:
    case 414:
    case 431:
      return Error(ErrorCode::kInvalidArgument, text);
    default:
      break;
  }
  if (status >= 500) return Error(ErrorCode::kUnavailable, text + " (may have been applied)");
  return Error(ErrorCode::kInternal, text + " (unexpected)");
}

bool is_success(int status) {
  return status >= 200 && status <= 299;
}

bool parse_decimal(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

struct Head {
  int status = 0;
  std::optional<uint64_t> content_length;
  bool chunked = false;
};

// `text`: the status line and header lines, CRLF-separated, without the blank line.
Result<Head> parse_head(std::string_view text) {
  Head head;
  size_t line_end = text.find("\r\n");
  const std::string_view status_line = text.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return corrupt("bad status line '" + std::string(status_line.substr(0, 64)) + "'");
  }
  uint64_t status = 0;
  if (!parse_decimal(status_line.substr(9, 3), status) || status < 100) {
    return corrupt("bad status code in '" + std::string(status_line.substr(0, 64)) + "'");
  }
  head.status = static_cast<int>(status);
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = text.find("\r\n", start);
    const std::string_view line =
        text.substr(start, line_end == std::string_view::npos ? line_end : line_end - start);
    if (line.empty() || line.front() == ' ' || line.front() == '\t') {
      return corrupt("empty or folded header line");
    }
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      return corrupt("bad header line '" + std::string(line.substr(0, 64)) + "'");
    }
    const std::string name = lowercase(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      uint64_t length = 0;
      if (!parse_decimal(value, length))
        return corrupt("bad content-length '" + std::string(value.substr(0, 32)) + "'");
      if (head.content_length.has_value() && *head.content_length != length) {
        return corrupt("two different content-lengths");
      }
      head.content_length = length;
    } else if (name == "transfer-encoding") {
      if (lowercase(value) != "chunked") {
        return corrupt("unsupported transfer-encoding '" + std::string(value.substr(0, 32)) + "'");
      }
      head.chunked = true;
    }
  }
  if (head.chunked && head.content_length.has_value()) {
    return corrupt("both transfer-encoding and content-length");
  }
  return head;
}

Result<uint64_t> parse_chunk_size(std::string_view line) {
  const std::string_view digits = trim(line.substr(0, line.find(';')));
  if (digits.empty() || digits.size() > 15) return corrupt("bad chunk size line");
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return corrupt("bad chunk size line");
  return size;
}

// Buffered reading of one response from a connection. Every error it returns is final: the
// connection's own errors are already mapped by connection_error().
class ResponseReader {
 public:
  explicit ResponseReader(Connection& connection) : connection_(connection) {}

  // The head without its closing blank line.
  Task<Result<std::string>> read_head(size_t max_bytes) {
    size_t searched = 0;
    for (;;) {
      const size_t end = buffer_.find("\r\n\r\n", searched >= 3 ? searched - 3 : 0);
      if (end != std::string::npos && end + 4 <= max_bytes) {
        std::string head = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        co_return head;
      }
      if (buffer_.size() >= max_bytes) {
        co_return corrupt("head longer than " + std::to_string(max_bytes) + " bytes");
      }
      searched = buffer_.size();
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.error();
      if (*got == 0)
        co_return Error(ErrorCode::kUnavailable,
                        "webdav: connection closed before a whole response");
    }
  }

  // A line without its CRLF.
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
      if (*got == 0)
        co_return Error(ErrorCode::kUnavailable, "webdav: response ended inside a line");
    }
  }

  // Appends exactly `length` bytes to `out`. REQUIRES: `length` was checked against a limit.
  Task<Status> read_exact(uint64_t length, std::string& out) {
    while (buffer_.size() < length) {
      Result<size_t> got = co_await fill();
      if (!got.ok()) co_return got.status();
      if (*got == 0) {
        co_return Error(ErrorCode::kUnavailable, "webdav: response body ended after " +
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

  // A body delimited by the end of the stream (no length, not chunked).
  Task<Status> read_to_end(uint64_t max_bytes, std::string& out) {
    for (;;) {
      if (buffer_.size() > max_bytes) {
        co_return Error(ErrorCode::kTooLarge,
                        "webdav: response body exceeds " + std::to_string(max_bytes) + " bytes");
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
    Result<size_t> got = co_await connection_.read_some(
        std::as_writable_bytes(std::span(buffer_).subspan(old_size)));
    buffer_.resize(old_size + (got.ok() ? *got : 0));
    if (!got.ok()) co_return connection_error(got.error(), "webdav: read");
    co_return *got;
  }

  Connection& connection_;
  std::string buffer_;  // received, not yet consumed
};

Task<Status> read_body(ResponseReader& reader, const Head& head, uint64_t max_bytes,
                       std::string& body) {
  if (head.content_length.has_value()) {
    if (*head.content_length > max_bytes) {
      co_return Error(ErrorCode::kTooLarge,
                      "webdav: response body of " + std::to_string(*head.content_length) +
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
                      "webdav: chunked body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    if (Status s = co_await reader.read_exact(*size, body); !s.ok()) co_return s;
    Result<std::string> end = co_await reader.read_line(0);
    if (!end.ok()) co_return end.status();
  }
  // The trailer: header lines up to a blank one, read and ignored.
  size_t trailer_bytes = 0;
  for (;;) {
    Result<std::string> line = co_await reader.read_line(kMaxTrailerBytes);
    if (!line.ok()) co_return line.status();
    if (line->empty()) co_return Status();
    trailer_bytes += line->size() + 2;
    if (trailer_bytes > kMaxTrailerBytes) co_return corrupt("trailer too long");
  }
}

// A cursor over nginx's JSON autoindex: an array of flat objects of strings and numbers.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  Result<std::string> string() {
    if (!consume('"')) return corrupt("listing: expected a string");
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return corrupt("listing: control byte in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char escaped = text_[pos_++];
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escaped);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned code = 0;
          if (pos_ + 4 > text_.size()) return corrupt("listing: short \\u escape");
          auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || end != text_.data() + pos_ + 4)
            return corrupt("listing: bad \\u escape");
          pos_ += 4;
          if (code >= 0xd800 && code <= 0xdfff) return corrupt("listing: surrogate escape");
          append_utf8(code, out);
          break;
        }
        default:
          return corrupt("listing: bad escape");
      }
    }
    return corrupt("listing: unterminated string");
  }

  // A number, true, false or null, as its text.
  Result<std::string> scalar() {
    skip_space();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '-' ||
            text_[pos_] == '+' || text_[pos_] == '.')) {
      ++pos_;
    }
    if (pos_ == start) return corrupt("listing: expected a value");
    return std::string(text_.substr(start, pos_ - start));
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  static void append_utf8(unsigned code, std::string& out) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// One entry's fields; returns the file's name, or nullopt for anything that is not a file.
Result<std::optional<std::string>> parse_listing_entry(JsonCursor& cursor) {
  if (!cursor.consume('{')) return corrupt("listing: expected an object");
  std::optional<std::string> name;
  std::string type;
  if (!cursor.consume('}')) {
    do {
      Result<std::string> key = cursor.string();
      if (!key.ok()) return key.error();
      if (!cursor.consume(':')) return corrupt("listing: expected ':'");
      Result<std::string> value = cursor.peek('"') ? cursor.string() : cursor.scalar();
      if (!value.ok()) return value.error();
      if (*key == "name") name = std::move(*value);
      if (*key == "type") type = std::move(*value);
    } while (cursor.consume(','));
    if (!cursor.consume('}')) return corrupt("listing: expected '}'");
  }
  if (type != "file") return std::optional<std::string>();
  if (!name.has_value()) return corrupt("listing: a file without a name");
  if (name->find('/') != std::string::npos || !validate_object_name(*name).ok()) {
    return corrupt("listing: hostile file name '" + name->substr(0, 64) + "'");
  }
  return name;
}

}  // namespace

std::string percent_encode_path(const std::string& name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || c == '/') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  return out;
}

Result<std::vector<std::string>> parse_autoindex_json_files(std::string_view json) {
  JsonCursor cursor(json);
  std::vector<std::string> files;
  if (!cursor.consume('[')) return corrupt("listing: expected '['");
  if (!cursor.consume(']')) {
    do {
      Result<std::optional<std::string>> entry = parse_listing_entry(cursor);
      if (!entry.ok()) return entry.error();
      if (entry->has_value()) files.push_back(std::move(**entry));
    } while (cursor.consume(','));
    if (!cursor.consume(']')) return corrupt("listing: expected ']'");
  }
  if (!cursor.at_end()) return corrupt("listing: bytes after the array");
  std::sort(files.begin(), files.end());
  return files;
}

struct WebDavObjectStore::Deadline {
  Connection* connection = nullptr;  // the call's connection while it is open
  bool finished = false;
  bool fired = false;
};

WebDavObjectStore::WebDavObjectStore(Network& network, Clock& clock, Executor& executor,
                                     WebDavOptions options)
    : network_(network), clock_(clock), executor_(executor), options_(std::move(options)) {
  assert(options_.base_path.starts_with('/') && !options_.base_path.ends_with('/'));
  if (options_.host_header.empty()) options_.host_header = options_.address;
}

std::string WebDavObjectStore::target_of(const std::string& name) const {
  return options_.base_path + "/" + percent_encode_path(name);
}

std::string WebDavObjectStore::request_head(const std::string& method, const std::string& target,
                                            const std::string& extra_headers) const {
  return method + " " + target + " HTTP/1.1\r\nHost: " + options_.host_header +
         "\r\nUser-Agent: lumberjack\r\nConnection: close\r\n" + extra_headers + "\r\n";
}

Task<void> WebDavObjectStore::watch(Clock& clock, Duration timeout,
                                    std::shared_ptr<Deadline> deadline) {
  co_await clock.sleep_for(timeout);
  if (deadline->finished) co_return;
  deadline->fired = true;
  if (deadline->connection != nullptr) deadline->connection->close();  // pending I/O: kCancelled
}

Task<Result<WebDavObjectStore::Response>> WebDavObjectStore::exchange(std::string head,
                                                                      const std::string* body,
                                                                      bool want_body) {
  auto deadline = std::make_shared<Deadline>();
  if (options_.timeout.count() > 0) executor_.spawn(watch(clock_, options_.timeout, deadline));
  Result<Response> response = co_await exchange_once(head, body, want_body, *deadline);
  deadline->finished = true;
  if (!response.ok() && deadline->fired) {
    co_return Error(ErrorCode::kTimedOut, "webdav " + options_.address + ": no answer within " +
                                              std::to_string(options_.timeout.count() / 1'000'000) +
                                              " ms (" + response.error().message() + ")");
  }
  co_return response;
}

Task<Result<WebDavObjectStore::Response>> WebDavObjectStore::exchange_once(const std::string& head,
                                                                           const std::string* body,
                                                                           bool want_body,
                                                                           Deadline& deadline) {
  Result<std::unique_ptr<Connection>> connected = co_await network_.connect(options_.address);
  if (!connected.ok())
    co_return connection_error(connected.error(), "webdav: connect to " + options_.address);
  if (deadline.fired) co_return Error(ErrorCode::kTimedOut, "webdav: connected too late");
  Connection& connection = **connected;
  struct Forget {  // the watchdog must never see a destroyed connection
    Deadline& deadline;
    ~Forget() { deadline.connection = nullptr; }
  } forget{deadline};
  deadline.connection = &connection;

  if (Status s = co_await write_all(connection, std::as_bytes(std::span(head))); !s.ok()) {
    co_return connection_error(s.error(), "webdav: send");
  }
  if (body != nullptr && !body->empty()) {
    if (Status s = co_await write_all(connection, std::as_bytes(std::span(*body))); !s.ok()) {
      co_return connection_error(s.error(), "webdav: send body");
    }
  }
  ResponseReader reader(connection);
  Head parsed;
  for (int interim = 0; parsed.status < 200; ++interim) {  // 1xx answers come before the real one
    if (interim > kMaxInterimResponses) co_return corrupt("too many interim (1xx) responses");
    Result<std::string> text = co_await reader.read_head(options_.max_head_bytes);
    if (!text.ok()) co_return text.error();
    Result<Head> head_fields = parse_head(*text);
    if (!head_fields.ok()) co_return head_fields.error();
    parsed = *head_fields;
  }
  Response response;
  response.status = parsed.status;
  if (want_body && parsed.status == 200) {
    if (Status s = co_await read_body(reader, parsed, options_.max_object_bytes, response.body);
        !s.ok()) {
      co_return s.error();
    }
  }
  co_return response;
}

Task<Status> WebDavObjectStore::put(const std::string& name, std::string contents) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s;
  if (contents.size() > options_.max_object_bytes) {
    co_return Error(ErrorCode::kTooLarge, "put " + name + ": " + std::to_string(contents.size()) +
                                              " bytes exceed the limit of " +
                                              std::to_string(options_.max_object_bytes));
  }
  std::string head = request_head("PUT", target_of(name),
                                  "Content-Type: application/octet-stream\r\nContent-Length: " +
                                      std::to_string(contents.size()) + "\r\n");
  Result<Response> response = co_await exchange(std::move(head), &contents, false);
  if (!response.ok()) co_return response.status();
  if (is_success(response->status)) co_return Status();
  if (response->status == 500) {
    std::optional<std::string> blocker = co_await object_among_ancestors(name);
    if (blocker.has_value()) {
      co_return Error(ErrorCode::kAlreadyExists,
                      "put " + name + ": object '" + *blocker + "' is where a folder is needed");
    }
  }
  co_return status_error(response->status, "put " + name);
}

Task<std::optional<std::string>> WebDavObjectStore::object_among_ancestors(
    const std::string& name) {
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    std::string ancestor = name.substr(0, slash);
    Result<Response> response =
        co_await exchange(request_head("HEAD", target_of(ancestor), ""), nullptr, false);
    if (response.ok() && response->status == 200) co_return std::move(ancestor);
  }
  co_return std::nullopt;
}

Task<Result<std::string>> WebDavObjectStore::get(const std::string& name) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s.error();
  Result<Response> response =
      co_await exchange(request_head("GET", target_of(name), ""), nullptr, true);
  if (!response.ok()) co_return response.error();
  const int status = response->status;
  if (status == 200) co_return std::move(response->body);
  if (status == 301 || status == 302 || status == 307 ||
      status == 308) {  // nginx: "it is a folder"
    co_return Error(ErrorCode::kNotFound, "get " + name + ": a folder, not an object");
  }
  co_return status_error(status, "get " + name);
}

Task<Status> WebDavObjectStore::rename(const std::string& from, const std::string& to) {
  if (Status s = validate_object_name(from); !s.ok()) co_return s;
  if (Status s = validate_object_name(to); !s.ok()) co_return s;
  std::string head = request_head("MOVE", target_of(from),
                                  "Destination: " + target_of(to) + "\r\nOverwrite: T\r\n");
  Result<Response> response = co_await exchange(std::move(head), nullptr, false);
  if (!response.ok()) co_return response.status();
  const int status = response->status;
  if (is_success(status)) co_return Status();
  // nginx refuses to MOVE a folder to a non-folder name with 400: there is no object `from`.
  if (status == 400)
    co_return Error(ErrorCode::kNotFound, "rename " + from + ": a folder, not an object");
  co_return status_error(status, "rename " + from + " to " + to);
}

Task<Status> WebDavObjectStore::remove(const std::string& name) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s;
  Result<Response> response =
      co_await exchange(request_head("DELETE", target_of(name), ""), nullptr, false);
  if (!response.ok()) co_return response.status();
  const int status = response->status;
  // 404: absent; 409: a folder, or a path through an object - either way no such object.
  if (is_success(status) || status == 404 || status == 409) co_return Status();
  co_return status_error(status, "remove " + name);
}

Task<Result<std::vector<std::string>>> WebDavObjectStore::list(const std::string& dir) {
  std::string target = options_.base_path + "/";
  if (!dir.empty()) {
    if (Status s = validate_object_name(dir); !s.ok()) co_return s.error();
    target += percent_encode_path(dir) + "/";
  }
  Result<Response> response = co_await exchange(request_head("GET", target, ""), nullptr, true);
  if (!response.ok()) co_return response.error();
  if (response->status == 404) co_return std::vector<std::string>();
  if (response->status != 200) co_return status_error(response->status, "list " + dir);
  Result<std::vector<std::string>> files = parse_autoindex_json_files(response->body);
  if (!files.ok()) co_return files.error();
  if (!dir.empty()) {
    for (std::string& file : *files) file = dir + "/" + file;
  }
  co_return std::move(files);
}

}  // namespace lj
