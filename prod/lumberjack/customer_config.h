#pragma once
// CustomerConfig: one customer as stored in ZooKeeper at /lj/customers/<account>, written by
// `lj ctl` and read by workers (to write its files) and by nginx's configurator (to serve them).
// Credentials are stored as a salted hash only.
//
// Encoded as "key=value" lines; values escape '\' as "\\" and newline as "\n" (the public key
// is a multi-line PEM). Decoding rejects unknown keys, duplicates and out-of-range values.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/push_destination.h"
#include "prod/io/result.h"
#include "prod/logfile/log_file_format.h"

namespace lj::lumberjack {

struct RollPolicy {
  uint64_t max_events = 5000;
  uint64_t max_bytes = 4 << 20;  // of formatted text, before compression
  int64_t max_age_ms = 10'000;   // a file is cut this long after its first event arrived
  bool operator==(const RollPolicy&) const = default;
};

struct CustomerConfig {
  uint64_t account_id = 0;
  uint64_t config_id = 1;
  LogFormat format = LogFormat::kCef;
  char leef_delimiter = '\t';  // LEEF only (is_leef_delimiter); stored only for LEEF customers
  BodyEncoding encoding = BodyEncoding::kModern;
  bool compress = true;
  std::string public_key_pem;  // empty: files are not encrypted
  std::string public_key_id;   // empty: the key's fingerprint
  std::string username;
  std::string password_hash;  // a salted hash (crypt(3) or htpasswd style), never the password
  RollPolicy roll;
  // Where its published files are also pushed (FilePusher); an empty url: nowhere.
  PushTarget push;
  // The destination's owner proved it reads it (push_challenge.h): until then nothing is pushed.
  bool push_confirmed = false;

  // "<account>_<config>": the customer's folder in storage and in download URLs
  // (published_layout.h: folder_name).
  std::string folder() const;
  std::string encode() const;
  static Result<CustomerConfig> decode(std::string_view text);
  bool operator==(const CustomerConfig&) const = default;
};

}  // namespace lj::lumberjack
