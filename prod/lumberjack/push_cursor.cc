#include "prod/lumberjack/push_cursor.h"

#include <charconv>

namespace lj::lumberjack {

std::string PushCursor::encode() const {
  return "url=" + url + "\nthrough=" + std::to_string(through) + "\n";
}

Result<PushCursor> PushCursor::decode(std::string_view text) {
  auto bad = [] {
    return Error(ErrorCode::kCorrupt, "push cursor: not \"url=...\\nthrough=<n>\\n\"");
  };
  if (!text.starts_with("url=")) return bad();
  const size_t url_end = text.find('\n');
  if (url_end == std::string_view::npos) return bad();
  PushCursor cursor;
  cursor.url = std::string(text.substr(4, url_end - 4));
  std::string_view rest = text.substr(url_end + 1);
  if (!rest.starts_with("through=") || !rest.ends_with('\n')) return bad();
  rest = rest.substr(8, rest.size() - 9);
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), cursor.through);
  if (rest.empty() || ec != std::errc() || end != rest.data() + rest.size()) return bad();
  return cursor;
}

}  // namespace lj::lumberjack
