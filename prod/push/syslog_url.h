#pragma once
// SyslogUrl: the address of a customer's syslog collector that Lumberjack pushes events to,
// "syslog+tls://<host>[:<port>]" (RFC 5425: TLS, port 6514 by default), parsed strictly as the
// other push addresses are (sftp_url.h): no path, no user, no query, nothing unexpected.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::push {

inline constexpr std::string_view kSyslogTlsScheme = "syslog+tls://";

struct SyslogUrl {
  std::string host;  // a name or an IPv4 address ([v6] kept without the brackets)
  uint16_t port = 6514;
  bool operator==(const SyslogUrl&) const = default;
};

Result<SyslogUrl> parse_syslog_url(std::string_view url);

}  // namespace lj::push
