#include "prod/logfile/cef_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "prod/io/invariant.h"
#include "prod/logfile/headers_json.h"
#include "prod/text/utf8.h"

namespace lj {
namespace {

// Bit 8k+7 set for each byte k of `w` that needs an escape (or is non-ASCII). The lowest set
// bit is exact, which is all the callers use (higher ones may be false alarms after a borrow).
inline uint64_t escape_flags8(uint64_t w, uint64_t specials) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  constexpr uint64_t kBackslashes = kOnes * static_cast<unsigned char>('\\');
  auto zero_bytes = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const uint64_t at_least_7f = (((w & ~kHighs) + kOnes) | w) & kHighs;
  const uint64_t below_20 = (w - kOnes * 0x20) & ~w & kHighs;
  return at_least_7f | below_20 | zero_bytes(w ^ kBackslashes) | zero_bytes(w ^ specials);
}

// Length of the prefix of `value` that needs no escape: printable ASCII other than '\\' and
// `special`. This scan is most of the formatting cost, and most values are short: it checks
// 16 bytes per step (SSE2) or 8 (SWAR), and covers a tail with one overlapping load.
size_t plain_prefix_length(std::string_view value, char special) {
  const char* data = value.data();
  const size_t n = value.size();
#if defined(__SSE2__)
  if (n >= 16) {
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches them (non-ASCII
    // goes to the UTF-8 check).
    const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f),
                  backslash = _mm_set1_epi8('\\'), special_byte = _mm_set1_epi8(special);
    auto flags16 = [&](const char* p) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
                       _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, special_byte)));
      return static_cast<unsigned>(_mm_movemask_epi8(hit));
    };
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      if (unsigned mask = flags16(data + i)) return i + static_cast<size_t>(__builtin_ctz(mask));
    }
    if (i < n) {  // the last 16 bytes, ignoring the ones already checked
      if (unsigned mask = flags16(data + n - 16) >> (i - (n - 16))) {
        return i + static_cast<size_t>(__builtin_ctz(mask));
      }
    }
    return n;
  }
#endif
  const uint64_t specials = 0x0101010101010101ull * static_cast<unsigned char>(special);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    if (uint64_t flags = escape_flags8(w, specials)) {
      return i + static_cast<size_t>(__builtin_ctzll(flags)) / 8;
    }
  }
  if (i < n && n >= 8) {  // the last 8 bytes, ignoring the ones already checked
    uint64_t w;
    std::memcpy(&w, data + n - 8, 8);
    const size_t skip = i - (n - 8);
    if (uint64_t flags = escape_flags8(w, specials) >> (8 * skip)) {
      return i + static_cast<size_t>(__builtin_ctzll(flags)) / 8;
    }
    return n;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\' || c == static_cast<unsigned char>(special)) break;
  }
  return i;
}

// Writes `value` at `p` with `special` ('|' in the header, '=' in the extension) escaped, plus
// the escapes common to both; returns the new end. REQUIRES: room for 4 * value.size() bytes.
char* write_escaped(std::string_view value, char special, char* p) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  while (!value.empty()) {
    size_t i = plain_prefix_length(value, special);
    // Valid multi-byte UTF-8 characters pass through too.
    while (i < value.size() && static_cast<unsigned char>(value[i]) >= 0x80) {
      const size_t length = utf8_multibyte_length(value, i);
      if (length == 0) break;
      i += length;
      i += plain_prefix_length(value.substr(i), special);
    }
    std::memcpy(p, value.data(), i);
    p += i;
    if (i == value.size()) return p;
    const auto c = static_cast<unsigned char>(value[i]);
    *p++ = '\\';
    if (c == '\\' || c == static_cast<unsigned char>(special)) {
      *p++ = static_cast<char>(c);
    } else if (c == '\n') {
      *p++ = 'n';
    } else if (c == '\r') {
      *p++ = 'r';
    } else {
      *p++ = 'x';
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 0xf];
    }
    value.remove_prefix(i + 1);
  }
  return p;
}

void append_escaped(std::string_view value, char special, std::string& out) {
  const size_t start = out.size();
  out.resize(start + 4 * value.size());
  char* end = write_escaped(value, special, out.data() + start);
  out.resize(static_cast<size_t>(end - out.data()));
}

// Writes one line into memory reserved in advance (see append_cef_line), so that each field
// costs a few stores instead of several std::string appends: per-field overhead, not bytes,
// dominated the formatting cost.
class LineWriter {
 public:
  explicit LineWriter(char* p) : p_(p) {}
  char* end() const { return p_; }

  template <size_t N>
  void literal(const char (&text)[N]) {  // N counts the terminating NUL
    std::memcpy(p_, text, N - 1);
    p_ += N - 1;
  }
  template <typename Int>
  void number(Int value) {
    p_ = std::to_chars(p_, p_ + 20, value).ptr;
  }
  void escaped(std::string_view value, char special) { p_ = write_escaped(value, special, p_); }
  template <size_t N>
  void text(const char (&spaced_key)[N], std::string_view value) {
    if (value.empty()) return;
    literal(spaced_key);
    escaped(value, '=');
  }
  template <size_t N, typename Int>
  void number(const char (&spaced_key)[N], Int value) {
    literal(spaced_key);
    number(value);
  }

 private:
  char* p_;
};

// Upper bound of the bytes every line needs besides its escaped strings: header, keys and
// numbers (at most 20 characters each).
constexpr size_t kCefFixedBytesBound = 768;

}  // namespace

void append_cef_header_field(std::string_view value, std::string& out) {
  append_escaped(value, '|', out);
}

void append_cef_extension_value(std::string_view value, std::string& out) {
  append_escaped(value, '=', out);
}

int cef_severity(std::string_view action) {
  if (action.find("BLOCK") != std::string_view::npos) return 7;
  if (action.find("CHALLENGE") != std::string_view::npos) return 5;
  return 3;
}

namespace {

// The headers' JSON, built once per line in a buffer reused across calls (no allocation per
// event). cef_line_bound and write_cef_line for one event run back to back on one thread.
std::string& headers_json_scratch() {
  thread_local std::string json;
  return json;
}

size_t strings_bytes(const AttackEvent& e) {
  return e.attack_type.size() + e.account_name.size() + e.site_name.size() + e.pop.size() +
         e.source_ip.size() + e.client_app.size() + e.country_code.size() + e.city.size() +
         e.protocol.size() + e.url.size() + e.method.size() + e.query.size() + e.referrer.size() +
         e.action.size() + e.rule_name.size();
}

}  // namespace

size_t cef_line_bound(const AttackEvent& e) {
  // JSON escaping at most sextuples a byte (\u00XX); CEF escaping at most quadruples one.
  size_t json_bound = 2;
  for (const HttpHeader& header : e.headers)
    json_bound += 6 + 6 * (header.name.size() + header.value.size());
  return kCefFixedBytesBound + 4 * (strings_bytes(e) + json_bound);
}

char* write_cef_line(const AttackEvent& e, char* p) {
  std::string& json = headers_json_scratch();
  json.clear();
  if (!e.headers.empty()) append_headers_json(e.headers, json);
  LineWriter w(p);

  w.literal("CEF:0|Incapsula|SIEMintegration|1|");
  w.number(e.rule_id);
  w.literal("|");
  if (e.attack_type.empty()) {
    w.literal("-");  // the placeholder for an empty Name (cef_writer.h)
  } else if (e.attack_type == "-") {
    w.literal("\\x2D");
  } else {
    w.escaped(e.attack_type, '|');
  }
  w.literal("|");
  w.number(cef_severity(e.action));
  w.literal("|");

  w.number("deviceExternalId=", e.id.proxy_id);
  w.number("-", e.id.sequence);
  w.number(" suid=", e.account_id);
  w.text(" Customer=", e.account_name);
  w.number(" siteid=", e.site_id);
  w.text(" sourceServiceName=", e.site_name);
  w.text(" deviceFacility=", e.pop);
  w.number(" start=", e.start_ms);
  w.number(" end=", e.end_ms);
  w.text(" src=", e.source_ip);
  w.number(" cpt=", e.source_port);
  w.number(" spt=", e.server_port);
  w.text(" requestClientApplication=", e.client_app);
  w.text(" ccode=", e.country_code);
  w.text(" cicode=", e.city);
  w.text(" app=", e.protocol);
  w.text(" request=", e.url);
  w.text(" requestMethod=", e.method);
  w.text(" qstr=", e.query);
  w.text(" ref=", e.referrer);
  w.number(" cn1=", e.response_code);
  w.text(" act=", e.action);
  if (!e.rule_name.empty()) {
    w.text(" cs9=", e.rule_name);
    w.literal(" cs9Label=Rule name");
  }
  w.text(" additionalReqHeaders=", json);
  w.literal("\n");
  return w.end();
}

void append_cef_line(const AttackEvent& e, std::string& out) {
  const size_t start = out.size();
  const size_t bound = cef_line_bound(e);
  out.resize(start + bound);
  char* end = write_cef_line(e, out.data() + start);
  LJ_ASSERT(static_cast<size_t>(end - (out.data() + start)) <= bound);
  out.resize(static_cast<size_t>(end - out.data()));
}

}  // namespace lj
