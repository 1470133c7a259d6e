#pragma once
// Checksums of log file bodies, as lowercase hex: SHA-256 (modern files) and MD5 (the
// imperva-compatible encoding, whose downloaders compare `hashlib.md5(...).hexdigest()`).
// SHA-1 only for the "{SSHA}" htpasswd form nginx checks (prod/lumberjack/credentials.h).

#include <string>
#include <string_view>

namespace lj {

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// The raw 16-byte MD5 digest (S3's Content-MD5 integrity header).
std::string md5_bytes(std::string_view data);
// The raw 32-byte SHA-256 digest.
std::string sha256_bytes(std::string_view data);
// The raw 20-byte SHA-1 digest.
std::string sha1_bytes(std::string_view data);
std::string to_hex(std::string_view bytes);

}  // namespace lj
