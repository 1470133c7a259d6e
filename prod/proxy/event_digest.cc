#include "prod/proxy/event_digest.h"

#include <string_view>

namespace lj::proxy {

namespace {

// FNV-1a over each field, with the field's length (or a separator) folded in first, so that
// moving bytes from one field to the next changes the digest.
class Fingerprint {
 public:
  void add(uint64_t value) {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(value >> (8 * i)));
  }
  void add(int64_t value) { add(static_cast<uint64_t>(value)); }
  void add(std::string_view text) {
    add(static_cast<uint64_t>(text.size()));
    for (const char c : text) byte(static_cast<uint8_t>(c));
  }
  uint64_t value() const { return hash_; }

 private:
  void byte(uint8_t b) {
    hash_ ^= b;
    hash_ *= 0x100000001b3ULL;
  }
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

uint64_t contents_digest(const AttackEvent& event) {
  Fingerprint f;
  f.add(event.id.proxy_id);
  f.add(event.id.sequence);
  f.add(event.account_id);
  f.add(event.account_name);
  f.add(event.site_id);
  f.add(event.site_name);
  f.add(event.pop);
  f.add(event.start_ms);
  f.add(event.end_ms);
  f.add(event.source_ip);
  f.add(static_cast<uint64_t>(event.source_port));
  f.add(static_cast<uint64_t>(event.server_port));
  f.add(event.client_app);
  f.add(event.country_code);
  f.add(event.city);
  f.add(event.protocol);
  f.add(event.attack_type);
  f.add(event.rule_id);
  f.add(event.rule_name);
  f.add(event.action);
  f.add(event.url);
  f.add(event.method);
  f.add(event.query);
  f.add(event.referrer);
  f.add(static_cast<uint64_t>(event.response_code));
  f.add(static_cast<uint64_t>(event.headers.size()));
  for (const HttpHeader& header : event.headers) {
    f.add(header.name);
    f.add(header.value);
  }
  return f.value();
}

}  // namespace lj::proxy
