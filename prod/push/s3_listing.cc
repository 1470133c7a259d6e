#include "prod/push/s3_listing.h"

#include <charconv>
#include <optional>

namespace lj::push {
namespace {

Error refused(const std::string& why) {
  return Error(ErrorCode::kUnavailable, "S3 listing: " + why);
}

// The text between the first <tag> and the next </tag> at or after `from`; `from` moves past it.
std::optional<std::string_view> element(std::string_view xml, std::string_view tag, size_t& from) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open, from);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return std::nullopt;
  from = end + close.size();
  return xml.substr(start + open.size(), end - start - open.size());
}

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// A reference's name between '&' and ';' ("amp", "#233", "#xE9") as the text it stands for.
std::optional<std::string> decode_reference(std::string_view name) {
  if (name == "amp") return "&";
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "quot") return "\"";
  if (name == "apos") return "'";
  if (name.size() < 2 || name[0] != '#') return std::nullopt;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  uint32_t code = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || code == 0 ||
      code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return std::nullopt;
  }
  std::string out;
  append_utf8(out, code);
  return out;
}

}  // namespace

Result<std::string> decode_xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const size_t semicolon = text.find(';', i);
    if (semicolon == std::string_view::npos || semicolon - i > 10)
      return refused("an unterminated character reference");
    std::optional<std::string> decoded = decode_reference(text.substr(i + 1, semicolon - i - 1));
    if (!decoded) return refused("an unknown character reference");
    out += *decoded;
    i = semicolon;
  }
  return out;
}

Result<S3ListingPage> parse_s3_listing(std::string_view xml) {
  size_t at = 0;
  std::optional<std::string_view> result = element(xml, "ListBucketResult", at);
  if (!result) {
    // A listing may carry attributes on its root element (xmlns=...): find the open tag's end.
    const size_t open = xml.find("<ListBucketResult");
    const size_t body = open == std::string_view::npos ? open : xml.find('>', open);
    const size_t close = xml.rfind("</ListBucketResult>");
    if (body == std::string_view::npos || close == std::string_view::npos || close < body)
      return refused("no <ListBucketResult> in the answer");
    result = xml.substr(body + 1, close - body - 1);
  }
  S3ListingPage page;
  size_t from = 0;
  while (std::optional<std::string_view> contents = element(*result, "Contents", from)) {
    size_t inner = 0;
    std::optional<std::string_view> key = element(*contents, "Key", inner);
    if (!key) return refused("a <Contents> with no <Key>");
    Result<std::string> decoded = decode_xml_text(*key);
    if (!decoded.ok()) return decoded.error();
    page.keys.push_back(std::move(*decoded));
  }
  size_t flag_at = 0;
  const std::optional<std::string_view> truncated = element(*result, "IsTruncated", flag_at);
  if (truncated && *truncated == "true") {
    size_t token_at = 0;
    const std::optional<std::string_view> token =
        element(*result, "NextContinuationToken", token_at);
    if (!token || token->empty()) return refused("a truncated page with no continuation token");
    Result<std::string> decoded = decode_xml_text(*token);
    if (!decoded.ok()) return decoded.error();
    page.next_token = std::move(*decoded);
  }
  return page;
}

}  // namespace lj::push
