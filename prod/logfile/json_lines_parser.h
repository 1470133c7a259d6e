#pragma once
// Parses JSON lines written by json_lines_writer.h back into attack events, exact bytes
// included ("<member>_base64" wins over "<member>"). Strict: a missing required member, a
// duplicated one or a value of the wrong kind is an error; unknown members holding a string or
// a scalar are skipped, so later writers may add such members.

#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

// `line` excludes its LF.
Result<AttackEvent> parse_json_event(std::string_view line);

// Every line of `body` must end in LF. Errors name the 1-based line number.
Status parse_json_body(std::string_view body, std::vector<AttackEvent>& events);

}  // namespace lj
