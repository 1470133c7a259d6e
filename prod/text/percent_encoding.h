#pragma once
// Percent-encoding of object names as URL paths (RFC 3986): every byte but the unreserved ones
// (A-Z a-z 0-9 - . _ ~) and '/' as %XX, upper-case - the form WebDAV servers take and AWS
// Signature V4 signs.

#include <string>
#include <string_view>

namespace lj {

std::string percent_encode_path(std::string_view name);

}  // namespace lj
