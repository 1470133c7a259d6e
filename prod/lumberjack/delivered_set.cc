#include "prod/lumberjack/delivered_set.h"

#include <charconv>

namespace lj::lumberjack {

namespace {

Result<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error(ErrorCode::kCorrupt, "bad number '" + std::string(text) + "' in delivered set");
  }
  return value;
}

// Splits on `separator`, keeping empty pieces out.
template <typename F>
Status for_each_piece(std::string_view text, char separator, F&& f) {
  while (!text.empty()) {
    const size_t at = text.find(separator);
    const std::string_view piece = text.substr(0, at);
    if (Status s = f(piece); !s.ok()) return s;
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return Status();
}

}  // namespace

bool DeliveredSet::contains(EventId id) const {
  auto proxy = intervals_.find(id.proxy_id);
  if (proxy == intervals_.end()) return false;
  auto it = proxy->second.upper_bound(id.sequence);  // first interval starting after it
  if (it == proxy->second.begin()) return false;
  --it;
  return id.sequence <= it->second;
}

bool DeliveredSet::insert(EventId id) {
  if (contains(id)) return false;
  auto& set = intervals_[id.proxy_id];
  const uint64_t seq = id.sequence;
  uint64_t first = seq, last = seq;
  auto next = set.upper_bound(seq);
  if (next != set.end() && next->first == seq + 1) {  // joins the interval after it
    last = next->second;
    next = set.erase(next);
  }
  if (next != set.begin()) {
    auto previous = std::prev(next);
    if (previous->second + 1 == seq) {  // joins the interval before it
      first = previous->first;
      set.erase(previous);
    }
  }
  set.emplace(first, last);
  return true;
}

uint64_t DeliveredSet::size() const {
  uint64_t ids = 0;
  for (const auto& [proxy, intervals] : intervals_) {
    for (const auto& [first, last] : intervals) ids += last - first + 1;
  }
  return ids;
}

size_t DeliveredSet::interval_count() const {
  size_t count = 0;
  for (const auto& [proxy, set] : intervals_) count += set.size();
  return count;
}

std::string DeliveredSet::encode() const {
  std::string out;
  for (const auto& [proxy, set] : intervals_) {
    if (!out.empty()) out += ';';
    out += std::to_string(proxy) + ':';
    bool first_interval = true;
    for (const auto& [first, last] : set) {
      if (!first_interval) out += ',';
      first_interval = false;
      out += std::to_string(first) + '-' + std::to_string(last);
    }
  }
  return out;
}

Result<DeliveredSet> DeliveredSet::decode(std::string_view text) {
  DeliveredSet decoded;
  Status status = for_each_piece(text, ';', [&](std::string_view proxy_text) -> Status {
    const size_t colon = proxy_text.find(':');
    if (colon == std::string_view::npos) return Error(ErrorCode::kCorrupt, "delivered set: proxy without ':'");
    Result<uint64_t> proxy = parse_u64(proxy_text.substr(0, colon));
    if (!proxy.ok()) return proxy.status();
    if (decoded.intervals_.contains(*proxy)) return Error(ErrorCode::kCorrupt, "delivered set: proxy twice");
    auto& set = decoded.intervals_[*proxy];
    uint64_t previous_last = 0;
    bool any = false;
    Status intervals = for_each_piece(proxy_text.substr(colon + 1), ',', [&](std::string_view interval) -> Status {
      const size_t dash = interval.find('-');
      if (dash == std::string_view::npos) return Error(ErrorCode::kCorrupt, "delivered set: interval without '-'");
      Result<uint64_t> first = parse_u64(interval.substr(0, dash));
      Result<uint64_t> last = parse_u64(interval.substr(dash + 1));
      if (!first.ok()) return first.status();
      if (!last.ok()) return last.status();
      if (*first > *last || (any && *first <= previous_last + 1)) {
        return Error(ErrorCode::kCorrupt, "delivered set: intervals overlap or are out of order");
      }
      set.emplace(*first, *last);
      previous_last = *last;
      any = true;
      return Status();
    });
    if (!intervals.ok()) return intervals;
    if (!any) return Error(ErrorCode::kCorrupt, "delivered set: proxy with no interval");
    return Status();
  });
  if (!status.ok()) return status.error();
  return decoded;
}

}  // namespace lj::lumberjack
