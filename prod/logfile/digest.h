#pragma once
// Checksums of log file bodies, as lowercase hex: SHA-256 (modern files) and MD5 (the
// imperva-compatible encoding, whose downloaders compare `hashlib.md5(...).hexdigest()`).

#include <string>
#include <string_view>

namespace lj {

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// The raw 32-byte SHA-256 digest.
std::string sha256_bytes(std::string_view data);
std::string to_hex(std::string_view bytes);

}  // namespace lj
