#pragma once
// RapidCheck generators of attack events whose strings are hostile: the bytes that break
// line- and field-oriented formats (| = \ LF CR NUL " % space -), invalid and valid UTF-8,
// occasionally long values. Sizes stay modest (Debian's RapidCheck misbehaves above size 100).

#include <rapidcheck.h>

#include <string>

#include "prod/event/attack_event.h"
#include "prod/logfile/time_text.h"

namespace lj {

inline rc::Gen<char> hostile_char() {
  return rc::gen::weightedOneOf<char>({
      {4, rc::gen::element<char>('|', '=', '\\', '\n', '\r', '\0', '"', ' ', '%', '-', '#', ':',
                                 '\x7f', '\x01', '\t', '[', '{', '}', ',')},
      {2, rc::gen::element<char>('\xc3', '\xa9', '\xff', '\x80', '\xed', '\xf0', '\x9f')},
      {4, rc::gen::inRange<char>('a', 'z' + 1)},
      {1, rc::gen::arbitrary<char>()},
  });
}

inline rc::Gen<std::string> hostile_string() {
  return rc::gen::weightedOneOf<std::string>({
      {8, rc::gen::container<std::string>(hostile_char())},
      {1, rc::gen::element<std::string>("", "-", "\"-\"", "CEF:0|", " act=ALLOW", "\\=", "%25",
                                        "caf\xc3\xa9 \xf0\x9f\x98\x80", "#Fields: date")},
      {1, rc::gen::map(
              rc::gen::pair(rc::gen::inRange<size_t>(1, 20000), hostile_char()),
              [](const std::pair<size_t, char>& p) { return std::string(p.first, p.second); })},
  });
}

// `start_ms` within the W3C-printable range when `w3c_times` (see time_text.h).
inline rc::Gen<AttackEvent> hostile_event(bool w3c_times) {
  return rc::gen::exec([w3c_times] {
    AttackEvent e;
    e.id = {*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>()};
    e.account_id = *rc::gen::arbitrary<uint64_t>();
    e.account_name = *hostile_string();
    e.site_id = *rc::gen::arbitrary<uint64_t>();
    e.site_name = *hostile_string();
    e.pop = *hostile_string();
    e.start_ms = w3c_times ? *rc::gen::inRange<int64_t>(0, kMaxTextTimeMs + 1)
                           : *rc::gen::arbitrary<int64_t>();
    e.end_ms = *rc::gen::arbitrary<int64_t>();
    e.source_ip = *hostile_string();
    e.source_port = *rc::gen::arbitrary<uint16_t>();
    e.server_port = *rc::gen::arbitrary<uint16_t>();
    e.client_app = *hostile_string();
    e.country_code = *hostile_string();
    e.city = *hostile_string();
    e.protocol = *hostile_string();
    e.attack_type = *hostile_string();
    e.rule_id = *rc::gen::arbitrary<int64_t>();
    e.rule_name = *hostile_string();
    e.action = *hostile_string();
    e.url = *hostile_string();
    e.method = *hostile_string();
    e.query = *hostile_string();
    e.referrer = *hostile_string();
    e.response_code = *rc::gen::arbitrary<uint16_t>();
    const size_t header_count = *rc::gen::inRange<size_t>(0, 4);
    for (size_t i = 0; i < header_count; ++i) {
      e.headers.push_back({*hostile_string(), *hostile_string()});
    }
    return e;
  });
}

}  // namespace lj
