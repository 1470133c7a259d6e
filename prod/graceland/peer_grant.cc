#include "prod/graceland/peer_grant.h"

#include <charconv>
#include <limits>

namespace lj::graceland {

namespace {

// A decimal proxy id, whole text, within the ids whose streams fit in 64 bits.
std::optional<uint64_t> parse_proxy_id(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > std::numeric_limits<uint64_t>::max() / kStreamsPerProxy) return std::nullopt;
  return value;
}

Error denied(const std::string& why) {
  return Error(ErrorCode::kPermissionDenied, why);
}

}  // namespace

PeerGrant grant_everything() {
  return PeerGrant{"anyone", true, true, 0, std::numeric_limits<uint64_t>::max()};
}

Result<PeerGrant> grant_for(const std::optional<PeerIdentity>& identity) {
  if (!identity) {
    return denied(
        "a client certificate from the operator's CA is required (its OU the role: proxy, "
        "lumberjack or operator)");
  }
  const std::string& name = identity->name;
  if (identity->role == "lumberjack" || identity->role == "operator") {
    return PeerGrant{identity->role + " " + name, false, true, 0, 0};
  }
  if (identity->role != "proxy")
    return denied("role \"" + identity->role + "\" (certificate OU) may do nothing here");
  const size_t dash = name.find('-');
  const std::optional<uint64_t> first = parse_proxy_id(std::string_view(name).substr(0, dash));
  const std::optional<uint64_t> last =
      dash == std::string::npos ? first : parse_proxy_id(std::string_view(name).substr(dash + 1));
  if (!first || !last || *last < *first) {
    return denied("proxy certificate CN \"" + name + "\" is not a proxy id or a range FIRST-LAST");
  }
  return PeerGrant{"proxy " + name, true, false, *first, *last};
}

Status may_send_event(const PeerGrant& grant, const EventId& id) {
  if (!grant.may_send) return denied(grant.who + " may not send events");
  const uint64_t proxy = id.proxy_id / kStreamsPerProxy;
  if (proxy < grant.first_proxy_id || proxy > grant.last_proxy_id) {
    return denied(grant.who + " may not send event " + id_text(id) + " of proxy " +
                  std::to_string(proxy));
  }
  return Status();
}

}  // namespace lj::graceland
