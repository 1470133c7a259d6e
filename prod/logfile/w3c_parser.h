#pragma once
// Parses W3C bodies written by w3c_writer.h back into attack events. Columns are found by
// name through the #Fields directive (unknown names are skipped, so later writers may add
// fields); values follow the quoting rule stated in w3c_writer.h.

#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

// Splits one line (without its LF) into values, undoing the quoting rule.
Result<std::vector<std::string>> split_w3c_line(std::string_view line);

// Every line of `body` must end in LF; a #Fields directive must precede the first event line.
// Errors name the 1-based line number.
Status parse_w3c_body(std::string_view body, std::vector<AttackEvent>& events);

}  // namespace lj
