#pragma once
// Parses CEF lines written by cef_writer.h back into fields and attack events. Strict: an
// unknown escape, a duplicated key or a missing required key is an error, because a file we
// wrote never holds one; unknown keys are skipped, so later writers may add keys.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

struct CefRecord {
  // Vendor, Product, Version, SignatureID, Name, Severity, unescaped. ("CEF:0" is checked.)
  std::array<std::string, 6> header;
  // Extension key/value pairs in line order, values unescaped.
  std::vector<std::pair<std::string, std::string>> extension;
};

// `line` excludes its LF.
Result<CefRecord> parse_cef_record(std::string_view line);
Result<AttackEvent> parse_cef_event(std::string_view line);

// Every line of `body` must end in LF. Errors name the 1-based line number.
Status parse_cef_body(std::string_view body, std::vector<AttackEvent>& events);

}  // namespace lj
