#pragma once
// The text body of a log file: events as CEF, LEEF or JSON lines, or as W3C directives and lines.

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/invariant.h"
#include "prod/io/result.h"
#include "prod/logfile/log_file_format.h"

namespace lj {

// A body under construction. Its storage only grows and is never cleared, so a writer that
// keeps one across files never zero-fills or reallocates memory on its hot path.
class LogBodyBuffer {
 public:
  // A place to write up to `bytes` bytes; commit the end of what was written.
  char* reserve(size_t bytes) {
    if (storage_.size() - used_ < bytes)
      storage_.resize(std::max(storage_.size() * 2, used_ + bytes));
    return storage_.data() + used_;
  }
  void commit(const char* end) {
    LJ_ASSERT(end >= storage_.data() + used_ && end <= storage_.data() + storage_.size());
    used_ = static_cast<size_t>(end - storage_.data());
  }
  void append(std::string_view bytes) {
    char* p = reserve(bytes.size());
    std::memcpy(p, bytes.data(), bytes.size());
    commit(p + bytes.size());
  }
  void clear() { used_ = 0; }
  std::string_view view() const { return std::string_view(storage_.data(), used_); }

 private:
  std::string storage_;
  size_t used_ = 0;
};

// Appends the body for `events`. `file_start_ms` dates the W3C #Date directive;
// `leef_delimiter` separates LEEF attributes (REQUIRES: is_leef_delimiter, leef_writer.h).
// kInvalidArgument (W3C only) when a time has no 4-digit date; `out` may then hold a prefix.
Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       LogBodyBuffer& out, char leef_delimiter = '\t');
Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       std::string& out, char leef_delimiter = '\t');

// Parses a body back into events, appending them. kCorrupt naming the line on failure.
Status parse_log_body(LogFormat format, std::string_view body, std::vector<AttackEvent>& events);

}  // namespace lj
