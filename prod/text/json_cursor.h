#pragma once
// A cursor over small JSON documents we parse by hand: the headers field of an event
// (headers_json.h) and nginx's JSON directory listing (the WebDAV store). Both are hostile
// input, so every read is bounds-checked and any surprise is a plain `false`; callers turn that
// into an error naming the offset. Not a general JSON parser: no nesting beyond what callers
// walk themselves, numbers and literals come back as their text, and \u escapes of UTF-16
// surrogates are refused (neither producer writes them).

#include <cstddef>
#include <string>
#include <string_view>

namespace lj {

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  // Skips white space; consumes `c` if it comes next.
  bool consume(char c);
  // Skips white space; whether `c` comes next (not consumed).
  bool peek(char c);
  // Skips white space; whether nothing is left.
  bool at_end();
  size_t pos() const { return pos_; }

  // A string at the cursor, unescaped into `out` (appended). False on a malformed string.
  bool string(std::string& out);
  // A number, true, false or null at the cursor, as its text (appended to `out`).
  bool scalar(std::string& out);

 private:
  void skip_space();

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace lj
