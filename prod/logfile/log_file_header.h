#pragma once
// The header of a log file (layout in log_file_format.h): its fields, how they are written
// and how they are parsed back.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"
#include "prod/logfile/log_file_format.h"

namespace lj {

struct LogFileHeader {
  uint64_t account_id = 0;
  uint64_t config_id = 0;
  std::string checksum;  // lowercase hex
  LogFormat format = LogFormat::kCef;
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
  // Modern files: the file's place in its folder, so that a file copied or replayed under
  // another name fails the reader's check (it is in the GCM associated data with every other
  // header byte). 0: absent (imperva-compatible files).
  uint64_t seq = 0;
  // Absent (empty) in imperva-compatible files.
  std::string compression;
  std::string cipher;
  std::string nonce;  // base64
  // Absent (empty) in unencrypted files.
  std::string public_key_id;
  std::string key;  // base64
  // Modern encrypted files of customers pushed to a stream (syslog): the same file key wrapped
  // a second time, for the cluster's push key (RSA-OAEP, SHA-256), so the pusher can read the
  // file without the customer's private key. Absent (empty) otherwise. Both are in the GCM
  // associated data: neither can be swapped without the reader noticing.
  std::string push_key_id;  // the push key's fingerprint
  std::string push_key;     // base64

  bool operator==(const LogFileHeader&) const = default;
};

// Appends the header lines and the terminator. REQUIRES: every string field is free of
// control bytes (the writer builds them from numbers, hex, base64 and validated ids).
void append_log_file_header(const LogFileHeader& header, std::string& out);

struct ParsedLogFileHeader {
  LogFileHeader header;
  size_t header_bytes = 0;  // through the terminator: the body starts here
};

// Parses the header at the start of `file`. kCorrupt, naming the problem, for a missing
// terminator, a malformed or duplicated line, or a missing or malformed required field.
// Unknown names are skipped (Imperva may add fields; so may we).
Result<ParsedLogFileHeader> parse_log_file_header(std::string_view file);

// Whether `file` is encrypted and carries no key wrapped for a push key (pushKey): written before
// its customer was pointed at an event destination, or by a node without one. No node can read it
// for a collector; it stays downloadable. False for a file whose header does not parse.
bool lacks_push_key(std::string_view file);

}  // namespace lj
