#pragma once
// The log file container, in the layout Imperva documents for its SIEM log files, so the
// downloaders customers already run read ours:
//
//   accountId:<n>LF configId:<n>LF checksum:<hex>LF format:CEF|W3C|LEEF|JSONLF
//   startTime:<epoch ms>LF endTime:<epoch ms>LF
//   [seq:<n>LF compression:zstd|noneLF cipher:aes-256-gcm|noneLF [nonce:<base64>LF]]  modern only
//   [publicKeyId:<id>LF key:<base64>LF]                                        encrypted only
//   [pushKeyId:<id>LF pushKey:<base64>LF]       modern, encrypted, pushed to a collector only
//   |==|LF
//   <body to end of file>
//
// File names are "<accountId>_<seq>.log", seq counting 1, 2, 3, ... with no gaps.
//
// Body encodings:
//  - modern: the text body (CEF, LEEF or JSON lines, or W3C directives and lines) is
//    zstd-compressed, then
//    sealed with AES-256-GCM under a fresh random key and nonce; the key is wrapped with the
//    customer's RSA key (OAEP, SHA-256) - and, for a customer pushed to a syslog or HTTPS
//    collector, wrapped a second time for the cluster's push key (pushKey), so the nodes can read
//    the file to send its events. The GCM associated data is every header byte up to
//    and including "|==|LF", so changing any header or body byte is detected; account,
//    config and seq are header fields, so a file served under another name is detected by a
//    reader that compares them with the name (prod/delivery/file_acceptance.h). checksum is
//    SHA-256 of the text body. Without a public key, cipher is "none" and nothing is
//    authenticated: the checksum then only catches accidental damage.
//  - imperva-compatible: zlib (RFC 1950), then AES-CBC (128 or 256-bit random key, zero IV,
//    PKCS#7); key is base64 of RSA PKCS#1 v1.5 of the base64 text of the AES key; checksum is
//    MD5 of the text body; no cipher or nonce line, and no compression line unless the body
//    is stored uncompressed ("compression:none"). A reader seeing no cipher line assumes this
//    encoding, as Imperva's files have none.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj {

// The text formats a customer can choose (cef_writer.h, w3c_writer.h, leef_writer.h,
// json_lines_writer.h). Imperva's downloaders know CEF, W3C and LEEF; JSON is ours.
enum class LogFormat { kCef, kW3c, kLeef, kJson };
enum class BodyEncoding { kModern, kImpervaCompatible };

std::string_view log_format_name(LogFormat format);  // "CEF", "W3C", "LEEF", "JSON"
// The inverse of log_format_name, exact and case-sensitive (the header and the customer
// config write the names so); nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);
// For errors and help texts: "CEF, W3C, LEEF or JSON".
inline constexpr std::string_view kLogFormatChoices = "CEF, W3C, LEEF or JSON";

inline constexpr std::string_view kHeaderTerminator = "|==|\n";
// A header longer than this is refused unread: real ones are under 1 KiB.
inline constexpr size_t kMaxHeaderBytes = 64 * 1024;
inline constexpr std::string_view kCipherAesGcm = "aes-256-gcm";
inline constexpr std::string_view kCipherNone = "none";

// "<accountId>_<seq>.log". REQUIRES: seq >= 1.
std::string log_file_name(uint64_t account_id, uint64_t seq);

struct LogFileName {
  uint64_t account_id = 0;
  uint64_t seq = 0;
};
// Parses a name made by log_file_name; nullopt for anything else.
std::optional<LogFileName> parse_log_file_name(std::string_view name);

}  // namespace lj
