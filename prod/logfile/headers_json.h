#pragma once
// Request headers as one text value, the way Imperva's CEF carries them in
// `additionalReqHeaders`: a JSON array of one-member objects, [{"Accept":"*/*"},{"X-A":"1"}],
// which keeps arrival order and duplicate names. Strings escape '"', '\' and control bytes
// (\u00XX); other bytes, including invalid UTF-8, pass through raw for the enclosing text
// format (CEF, W3C) to escape.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

void append_headers_json(std::span<const HttpHeader> headers, std::string& out);
Result<std::vector<HttpHeader>> parse_headers_json(std::string_view json);

}  // namespace lj
