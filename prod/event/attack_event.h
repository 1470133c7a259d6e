#pragma once
// The attack event: one blocked or flagged request, with the fields a customer's security team
// needs to act on it. It is the unit that proxies send, Graceland stores, and Lumberjack writes
// into CEF, W3C, LEEF or JSON log files. Strings hold raw bytes exactly as the proxy saw them:
// they may be empty, hostile or invalid UTF-8, and every encoder downstream must carry them
// unchanged.

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace lj {

// Globally unique: a proxy numbers the events of each customer it serves 1, 2, 3, ... in a
// stream of its own, and stream ids are unique, so a re-sent event (after a lost
// acknowledgement) keeps its id and duplicates can be recognised. A stream per (proxy,
// customer), not per proxy, keeps each customer's sequence numbers contiguous: Lumberjack's
// record of what it delivered (a few intervals per stream) then stays in the kilobytes.
// Stream id = proxy id * kStreamsPerProxy + the customer's slot on that proxy.
inline constexpr uint64_t kStreamsPerProxy = 1 << 16;
struct EventId {
  uint64_t proxy_id = 0;  // the stream id (see above); printed as "<stream>-<sequence>"
  uint64_t sequence = 0;
  auto operator<=>(const EventId&) const = default;
};

// "<stream>/<sequence>", as checkers and logs print an event.
inline std::string id_text(const EventId& id) {
  return std::to_string(id.proxy_id) + "/" + std::to_string(id.sequence);
}

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

struct AttackEvent {
  EventId id;
  uint64_t account_id = 0;   // the customer
  std::string account_name;  // the customer's name as shown to it (CEF `Customer`)
  uint64_t site_id = 0;
  std::string site_name;  // the protected site's host name (CEF `sourceServiceName`)
  std::string pop;        // the point of presence that handled the request ("ams", "mia")
  int64_t start_ms = 0;   // epoch milliseconds, UTC
  int64_t end_ms = 0;
  std::string source_ip;  // textual IPv4 or IPv6 address of the client
  uint16_t source_port = 0;
  uint16_t server_port = 0;  // the port the client connected to (443)
  std::string client_app;    // the User-Agent
  std::string country_code;  // ISO 3166 alpha-2 of the client ("IL"), may be empty
  std::string city;
  std::string protocol;     // "HTTP" or "HTTPS"
  std::string attack_type;  // "SQL Injection", "Cross Site Scripting", ...
  int64_t rule_id = 0;      // the rule that fired (-1 is an ACL in Imperva's numbering)
  std::string rule_name;
  std::string action;  // what the proxy did: "REQ_BLOCKED", "REQ_CHALLENGE_CAPTCHA", ...
  std::string url;     // host and path of the request, without the query string
  std::string method;
  std::string query;     // the query string, without the leading '?'
  std::string referrer;  // the Referer header, empty when absent
  uint16_t response_code = 0;
  std::vector<HttpHeader> headers;  // other request headers, in arrival order, duplicates kept

  bool operator==(const AttackEvent&) const = default;
};

}  // namespace lj
