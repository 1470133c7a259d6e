#include "prod/lumberjack/delivered_set.h"

#include <algorithm>
#include <charconv>
#include <queue>

#include "prod/io/invariant.h"

namespace lj::lumberjack {

namespace {

template <typename T>
Result<T> parse_number(std::string_view text) {
  T value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error(ErrorCode::kCorrupt,
                 "bad number '" + std::string(text.substr(0, 32)) + "' in delivered set");
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
  auto stream = streams_.find(id.proxy_id);
  if (stream == streams_.end()) return false;
  const auto& set = stream->second.intervals;
  auto it = set.upper_bound(id.sequence);  // first interval starting after it
  if (it == set.begin()) return false;
  --it;
  return id.sequence <= it->second;
}

bool DeliveredSet::insert(EventId id) {
  // One lookup, and the common case - the next id of a stream - extends its last interval in
  // place: inserting was a tenth of a worker's CPU when every id erased and re-inserted a node.
  auto& set = streams_[id.proxy_id].intervals;
  const uint64_t seq = id.sequence;
  auto next = set.upper_bound(seq);  // the first interval starting after seq
  if (next != set.begin()) {
    auto previous = std::prev(next);
    if (seq <= previous->second) return false;  // held already (previous->first <= seq)
    if (previous->second + 1 == seq) {
      if (next != set.end() && next->first == seq + 1) {  // fills the hole between two intervals
        previous->second = next->second;
        set.erase(next);
        --interval_count_;
      } else {
        previous->second = seq;
      }
      return true;
    }
  }
  if (next != set.end() && next->first == seq + 1) {  // joins the interval after it (a new first)
    const uint64_t last = next->second;
    set.emplace_hint(set.erase(next), seq, last);
    return true;
  }
  set.emplace_hint(next, seq, seq);
  ++interval_count_;
  return true;
}

uint64_t DeliveredSet::size() const {
  uint64_t ids = 0;
  for (const auto& [id, stream] : streams_) {
    for (const auto& [first, last] : stream.intervals) ids += last - first + 1;
  }
  return ids;
}

void DeliveredSet::close_lowest_hole(uint64_t stream_id, Stream& stream, BoundReport& report) {
  auto& set = stream.intervals;
  LJ_ASSERT(set.size() >= 2);
  auto first = set.begin();
  auto second = std::next(first);
  const uint64_t hole_first = first->second + 1, hole_last = second->first - 1;
  LJ_ASSERT(hole_first <= hole_last);  // intervals are non-adjacent
  first->second = second->second;
  set.erase(second);
  --interval_count_;
  ++report.holes_closed;
  report.ids_given_up += hole_last - hole_first + 1;
  report.lines.push_back("stream " + std::to_string(stream_id) + ": ids " +
                         std::to_string(hole_first) + "-" + std::to_string(hole_last) +
                         " taken as delivered (more holes than the dedupe window)");
}

void DeliveredSet::forget(std::map<uint64_t, Stream>::iterator stream) {
  interval_count_ -= stream->second.intervals.size();
  streams_.erase(stream);
}

void DeliveredSet::age_out(const DeliveredLimits& limits, DeliveryTime now,
                           const DeliveredSet& keep, BoundReport& report) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream& stream = it->second;
    // Stamped now: delivered in this file, or from a set before bounds (its horizon starts now).
    if (keep.streams_.contains(it->first) || stream.last_delivered_s == 0) {
      stream.last_delivered_s = now.wall_s;
      stream.last_delivered_file = now.file_seq;
    }
    const int64_t idle_s = now.wall_s - stream.last_delivered_s;
    // (A file number below the stamp's: a checkpoint from elsewhere; not idle by files.)
    const uint64_t idle_files =
        now.file_seq > stream.last_delivered_file ? now.file_seq - stream.last_delivered_file : 0;
    if (idle_s <= limits.stream_horizon_s || idle_files < limits.stream_horizon_files) {
      ++it;
      continue;
    }
    ++report.streams_aged_out;
    report.lines.push_back("stream " + std::to_string(it->first) +
                           ": forgotten, nothing delivered from it for " + std::to_string(idle_s) +
                           " s and " + std::to_string(idle_files) + " files");
    auto gone = it++;
    forget(gone);
  }
}

void DeliveredSet::evict_over_cap(const DeliveredLimits& limits, const DeliveredSet& keep,
                                  BoundReport& report) {
  if (streams_.size() <= limits.max_streams) return;
  // Least recently delivered first, by file number (no clock can fake it); ties by id, so
  // every replica of a decision is the same.
  std::vector<std::pair<uint64_t, uint64_t>> candidates;
  for (const auto& [id, stream] : streams_) {
    if (!keep.streams_.contains(id)) candidates.emplace_back(stream.last_delivered_file, id);
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& [last_delivered_file, id] : candidates) {
    if (streams_.size() <= limits.max_streams) break;
    ++report.streams_evicted;
    report.lines.push_back("stream " + std::to_string(id) +
                           ": forgotten before its horizon (more than " +
                           std::to_string(limits.max_streams) + " streams)");
    forget(streams_.find(id));
  }
  // The file being committed names fewer streams than the cap (CustomerPipeline rolls first).
  LJ_ASSERT(streams_.size() <= limits.max_streams);
}

void DeliveredSet::close_holes_over_caps(const DeliveredLimits& limits, BoundReport& report) {
  for (auto& [id, stream] : streams_) {
    while (stream.intervals.size() > limits.max_intervals_per_stream)
      close_lowest_hole(id, stream, report);
  }
  if (interval_count_ <= limits.max_intervals) return;
  // The stream with the most intervals pays, one hole at a time.
  std::priority_queue<std::pair<size_t, uint64_t>> by_intervals;
  for (const auto& [id, stream] : streams_) by_intervals.emplace(stream.intervals.size(), id);
  while (interval_count_ > limits.max_intervals) {
    const uint64_t id = by_intervals.top().second;
    by_intervals.pop();
    Stream& stream = streams_.at(id);
    // Streams are at most max_streams < max_intervals, so one over the total has two or more.
    LJ_ASSERT(stream.intervals.size() >= 2);
    close_lowest_hole(id, stream, report);
    by_intervals.emplace(stream.intervals.size(), id);
  }
}

BoundReport DeliveredSet::bound(const DeliveredLimits& limits, DeliveryTime now,
                                const DeliveredSet& just_delivered) {
  LJ_ASSERT(limits.max_intervals_per_stream >= 2 && limits.max_streams < limits.max_intervals);
  BoundReport report;
  // Wall time never runs backwards for a set: a worker whose clock is behind the one that
  // last stamped it uses that stamp. (Clocks can still overstate idleness - a stamp by a slow
  // clock read by a fast one - which is why aging also needs idle files.)
  for (const auto& [id, stream] : streams_)
    now.wall_s = std::max(now.wall_s, stream.last_delivered_s);
  age_out(limits, now, just_delivered, report);
  evict_over_cap(limits, just_delivered, report);
  close_holes_over_caps(limits, report);
  LJ_ASSERT(streams_.size() <= limits.max_streams && interval_count_ <= limits.max_intervals);
  return report;
}

std::string DeliveredSet::encode() const {
  std::string out;
  for (const auto& [id, stream] : streams_) {
    if (!out.empty()) out += ';';
    out += std::to_string(id);
    if (stream.last_delivered_s != 0) {
      out += '@' + std::to_string(stream.last_delivered_s) + '/' +
             std::to_string(stream.last_delivered_file);
    }
    out += ':';
    bool first_interval = true;
    for (const auto& [first, last] : stream.intervals) {
      if (!first_interval) out += ',';
      first_interval = false;
      out += std::to_string(first) + '-' + std::to_string(last);
    }
  }
  return out;
}

Result<DeliveredSet> DeliveredSet::decode(std::string_view text) {
  DeliveredSet decoded;
  Status status = for_each_piece(text, ';', [&](std::string_view stream_text) -> Status {
    const size_t colon = stream_text.find(':');
    if (colon == std::string_view::npos)
      return Error(ErrorCode::kCorrupt, "delivered set: stream without ':'");
    const std::string_view head = stream_text.substr(0, colon);
    const size_t at = head.find('@');
    Result<uint64_t> id = parse_number<uint64_t>(head.substr(0, at));
    if (!id.ok()) return id.status();
    if (decoded.streams_.contains(*id))
      return Error(ErrorCode::kCorrupt, "delivered set: stream twice");
    Stream& stream = decoded.streams_[*id];
    if (at != std::string_view::npos) {
      const std::string_view stamp = head.substr(at + 1);
      const size_t slash = stamp.find('/');
      if (slash == std::string_view::npos)
        return Error(ErrorCode::kCorrupt, "delivered set: a stamp without '/'");
      Result<int64_t> time = parse_number<int64_t>(stamp.substr(0, slash));
      Result<uint64_t> file = parse_number<uint64_t>(stamp.substr(slash + 1));
      if (!time.ok()) return time.status();
      if (!file.ok()) return file.status();
      if (*time <= 0)
        return Error(ErrorCode::kCorrupt, "delivered set: a stream's time is not positive");
      stream.last_delivered_s = *time;
      stream.last_delivered_file = *file;
    }
    uint64_t previous_last = 0;
    bool any = false;
    Status intervals = for_each_piece(
        stream_text.substr(colon + 1), ',', [&](std::string_view interval) -> Status {
          const size_t dash = interval.find('-');
          if (dash == std::string_view::npos)
            return Error(ErrorCode::kCorrupt, "delivered set: interval without '-'");
          Result<uint64_t> first = parse_number<uint64_t>(interval.substr(0, dash));
          Result<uint64_t> last = parse_number<uint64_t>(interval.substr(dash + 1));
          if (!first.ok()) return first.status();
          if (!last.ok()) return last.status();
          // (previous_last + 1 could wrap: compare without it.)
          if (*first > *last || (any && (*first <= previous_last || *first - previous_last == 1))) {
            return Error(ErrorCode::kCorrupt,
                         "delivered set: intervals overlap or are out of order");
          }
          stream.intervals.emplace(*first, *last);
          ++decoded.interval_count_;
          previous_last = *last;
          any = true;
          return Status();
        });
    if (!intervals.ok()) return intervals;
    if (!any) return Error(ErrorCode::kCorrupt, "delivered set: stream with no interval");
    return Status();
  });
  if (!status.ok()) return status.error();
  return decoded;
}

}  // namespace lj::lumberjack
