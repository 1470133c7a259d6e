#include "prod/logfile/imperva_keys.h"

#include "prod/logfile/headers_json.h"

namespace lj {

const std::string* KeyValues::find(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<EventId> parse_event_id_text(std::string_view text) {
  EventId id;
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos || !parse_decimal(text.substr(0, dash), id.proxy_id) ||
      !parse_decimal(text.substr(dash + 1), id.sequence)) {
    return Error(ErrorCode::kCorrupt,
                 "'" + std::string(text.substr(0, 48)) + "' is not <stream>-<sequence>");
  }
  return id;
}

Status read_shared_imperva_keys(const KeyValues& keys, AttackEvent& e) {
  const std::string* event_id = keys.find("deviceExternalId");
  if (event_id == nullptr) return Error(ErrorCode::kCorrupt, "missing key 'deviceExternalId'");
  Result<EventId> id = parse_event_id_text(*event_id);
  if (!id.ok()) return Error(ErrorCode::kCorrupt, "deviceExternalId " + id.error().message());
  e.id = *id;
  for (Status status : {keys.number("suid", e.account_id), keys.number("siteid", e.site_id),
                        keys.number("start", e.start_ms), keys.number("end", e.end_ms),
                        keys.number("cn1", e.response_code)}) {
    if (!status.ok()) return status;
  }
  keys.text("Customer", e.account_name);
  keys.text("sourceServiceName", e.site_name);
  keys.text("deviceFacility", e.pop);
  keys.text("src", e.source_ip);
  keys.text("requestClientApplication", e.client_app);
  keys.text("ccode", e.country_code);
  keys.text("cicode", e.city);
  keys.text("app", e.protocol);
  keys.text("requestMethod", e.method);
  keys.text("qstr", e.query);
  keys.text("ref", e.referrer);
  keys.text("act", e.action);
  if (const std::string* json = keys.find("additionalReqHeaders")) {
    Result<std::vector<HttpHeader>> headers = parse_headers_json(*json);
    if (!headers.ok())
      return Error(ErrorCode::kCorrupt, "additionalReqHeaders: " + headers.error().message());
    e.headers = std::move(headers).value();
  }
  return Status::ok_status();
}

}  // namespace lj
