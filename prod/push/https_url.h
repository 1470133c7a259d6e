#pragma once
// HttpsUrl: the address of a customer's HTTPS collector that Lumberjack POSTs events to, the
// shape Splunk's HTTP Event Collector and generic webhooks take:
// "https://<host>[:<port>]/<path>" (e.g. https://siem.example:8088/services/collector/raw),
// parsed strictly as the other push addresses are (sftp_url.h): a path is required, and no user,
// query or fragment is taken (credentials are named apart, never written into an address).

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::push {

inline constexpr std::string_view kHttpsScheme = "https://";

struct HttpsUrl {
  std::string host;  // a name or an IPv4 address ([v6] kept without the brackets)
  uint16_t port = 443;
  std::string path;  // absolute: "/services/collector/raw"
  // "https://host:port/path", with brackets around an IPv6 host.
  std::string to_string() const;
  bool operator==(const HttpsUrl&) const = default;
};

Result<HttpsUrl> parse_https_url(std::string_view url);

}  // namespace lj::push
