#include "prod/http/http1_response_head.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace lj {

namespace {

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kCorrupt, "http response: " + what);
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

bool parse_decimal(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<uint64_t> parse_chunk_size(std::string_view line) {
  const std::string_view digits = trim(line.substr(0, line.find(';')));
  if (digits.empty() || digits.size() > 15) return corrupt("bad chunk size line");
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return corrupt("bad chunk size line");
  return size;
}

Result<HttpResponseHead> parse_http_response_head(std::string_view text) {
  HttpResponseHead head;
  size_t line_end = text.find("\r\n");
  const std::string_view status_line = text.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return corrupt("bad status line '" + std::string(status_line.substr(0, 64)) + "'");
  }
  uint64_t status = 0;
  if (!parse_decimal(status_line.substr(9, 3), status) || status < 100 || status > 599) {
    return corrupt("bad status code in '" + std::string(status_line.substr(0, 64)) + "'");
  }
  head.status = static_cast<int>(status);
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = text.find("\r\n", start);
    const std::string_view line =
        text.substr(start, line_end == std::string_view::npos ? line_end : line_end - start);
    if (line.empty() || line.front() == ' ' || line.front() == '\t')
      return corrupt("empty or folded header line");
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
      if (head.content_length.has_value() && *head.content_length != length)
        return corrupt("two content-lengths");
      head.content_length = length;
    } else if (name == "transfer-encoding") {
      if (lowercase(value) != "chunked") {
        return corrupt("unsupported transfer-encoding '" + std::string(value.substr(0, 32)) + "'");
      }
      head.chunked = true;
    } else if (name == "content-encoding") {
      if (lowercase(value) != "identity") head.content_coded = true;
    }
  }
  if (head.chunked && head.content_length.has_value())
    return corrupt("both transfer-encoding and content-length");
  return head;
}

}  // namespace lj
