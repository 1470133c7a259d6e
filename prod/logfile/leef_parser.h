#pragma once
// Parses LEEF 2.0 lines written by leef_writer.h back into attack events. Each line names its
// own delimiter. Strict like the CEF parser: an unknown escape, a duplicated key or a missing
// required key is an error (a file we wrote never holds one); unknown keys are skipped, so later
// writers may add keys.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

struct LeefRecord {
  // Vendor, Product, Version, EventID, unescaped ("LEEF:2.0" is checked).
  std::array<std::string, 4> header;
  char delimiter = '\t';
  // Attributes in line order, values unescaped.
  std::vector<std::pair<std::string, std::string>> attributes;
};

// `line` excludes its LF.
Result<LeefRecord> parse_leef_record(std::string_view line);
Result<AttackEvent> parse_leef_event(std::string_view line);

// Every line of `body` must end in LF. Errors name the 1-based line number.
Status parse_leef_body(std::string_view body, std::vector<AttackEvent>& events);

}  // namespace lj
