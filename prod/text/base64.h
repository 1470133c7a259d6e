#pragma once
// Standard base64 (RFC 4648, '+' '/', '=' padding), as Imperva's `key:` header uses it.

#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj {

std::string base64_encode(std::string_view bytes);
// Strict: rejects characters outside the alphabet, wrong padding and whitespace (kCorrupt).
Result<std::string> base64_decode(std::string_view text);

}  // namespace lj
