#pragma once
// SftpUrl: a push destination's address, "sftp://<user>@<host>[:<port>]/<folder>", parsed
// strictly: a configuration is written by an operator and read by every worker, so anything
// unexpected (no user, a bad port, control characters, "..", an empty folder) is refused with
// a message that says what, rather than guessed at.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::push {

struct SftpUrl {
  std::string user;
  std::string host;  // a name or an IPv4 address ([v6] kept without the brackets)
  uint16_t port = 22;
  std::string folder;  // absolute: "/srv/incoming"
  bool operator==(const SftpUrl&) const = default;
};

Result<SftpUrl> parse_sftp_url(std::string_view url);

}  // namespace lj::push
