// The HTTP response head, the JSON cursor and the WebDAV listing: see fuzz_entry_points.h.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_entry_points.h"
#include "prod/http/http1_response_head.h"
#include "prod/io/object_store.h"
#include "prod/logfile/headers_json.h"
#include "prod/storage/webdav_listing.h"
#include "prod/text/json_cursor.h"

namespace lj {
namespace {

// A JSON string literal of `text` the cursor reads back as `text`.
std::string json_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void check_string_round_trip(const std::string& value) {
  const std::string literal = json_string(value);
  JsonCursor again(literal);
  std::string read;
  FUZZ_CHECK(again.string(read) && again.at_end());
  FUZZ_CHECK(read == value);
}

// Walks one JSON value of any shape, as the callers of JsonCursor walk theirs. False where
// the text is not what the cursor accepts (the cursor's "plain false" contract).
bool walk_value(JsonCursor& cursor, int depth) {
  if (depth > 32) return false;
  if (cursor.peek('"')) {
    std::string value;
    if (!cursor.string(value)) return false;
    check_string_round_trip(value);
    return true;
  }
  if (cursor.consume('[')) {
    if (cursor.consume(']')) return true;
    do {
      if (!walk_value(cursor, depth + 1)) return false;
    } while (cursor.consume(','));
    return cursor.consume(']');
  }
  if (cursor.consume('{')) {
    if (cursor.consume('}')) return true;
    do {
      std::string key;
      if (!cursor.string(key) || !cursor.consume(':')) return false;
      check_string_round_trip(key);
      if (!walk_value(cursor, depth + 1)) return false;
    } while (cursor.consume(','));
    return cursor.consume('}');
  }
  std::string scalar;
  const size_t before = cursor.pos();
  if (!cursor.scalar(scalar)) return false;
  FUZZ_CHECK(!scalar.empty() && cursor.pos() > before);
  return true;
}

}  // namespace

void fuzz_http_response(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz_text(data, size);
  const size_t blank = text.find("\r\n\r\n");
  const std::string_view head_text = text.substr(0, blank);
  Result<HttpResponseHead> head = parse_http_response_head(head_text);
  if (head.ok()) {
    FUZZ_CHECK(head->status >= 100 && head->status <= 599);
    FUZZ_CHECK(!(head->chunked && head->content_length.has_value()));
    // Written out in canonical form, the head parses to the same.
    std::string canonical = "HTTP/1.1 " + std::to_string(head->status) + " X";
    if (head->content_length)
      canonical += "\r\nContent-Length: " + std::to_string(*head->content_length);
    if (head->chunked) canonical += "\r\nTransfer-Encoding: chunked";
    if (head->content_coded) canonical += "\r\nContent-Encoding: gzip";
    Result<HttpResponseHead> again = parse_http_response_head(canonical);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->status == head->status && again->content_length == head->content_length &&
               again->chunked == head->chunked && again->content_coded == head->content_coded);
  } else {
    FUZZ_CHECK(head.code() == ErrorCode::kCorrupt && !head.error().message().empty());
  }
  if (blank == std::string_view::npos) return;
  // What follows, line by line, as a chunked body's size lines.
  std::string_view rest = text.substr(blank + 4);
  for (int lines = 0; !rest.empty() && lines < 64; ++lines) {
    const size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    Result<uint64_t> chunk = parse_chunk_size(line);
    if (!chunk.ok()) {
      FUZZ_CHECK(chunk.code() == ErrorCode::kCorrupt);
      continue;
    }
    char hex[32];
    const int n = std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(*chunk));
    Result<uint64_t> again = parse_chunk_size(std::string_view(hex, static_cast<size_t>(n)));
    FUZZ_CHECK(again.ok() && *again == *chunk);
  }
}

void fuzz_json_cursor(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz_text(data, size);
  JsonCursor cursor(text);
  if (walk_value(cursor, 0)) FUZZ_CHECK(cursor.pos() <= text.size());
  Result<std::vector<HttpHeader>> headers = parse_headers_json(text);
  if (!headers.ok()) {
    FUZZ_CHECK(!headers.error().message().empty());
    return;
  }
  std::string json;
  append_headers_json(*headers, json);
  Result<std::vector<HttpHeader>> again = parse_headers_json(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *headers);
}

void fuzz_webdav_listing(const uint8_t* data, size_t size) {
  Result<std::vector<std::string>> files = parse_autoindex_json_files(fuzz_text(data, size));
  if (!files.ok()) {
    FUZZ_CHECK(files.code() == ErrorCode::kCorrupt && !files.error().message().empty());
    return;
  }
  std::string json = R"([{"name":"dir","type":"directory"})";
  for (size_t i = 0; i < files->size(); ++i) {
    const std::string& name = (*files)[i];
    FUZZ_CHECK(validate_object_name(name).ok() && name.find('/') == std::string::npos);
    FUZZ_CHECK(i == 0 || (*files)[i - 1] <= name);
    json += ",{\"name\":" + json_string(name) + ",\"type\":\"file\",\"size\":1}";
    FUZZ_CHECK(!percent_encode_path(name).empty());
  }
  json += "]";
  Result<std::vector<std::string>> again = parse_autoindex_json_files(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *files);
}

}  // namespace lj
