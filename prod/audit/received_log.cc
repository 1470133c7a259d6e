#include "prod/audit/received_log.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

namespace lj::audit {

namespace {

template <typename T>
bool parse_int(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  while (!line.empty()) {
    const size_t space = line.find(' ');
    fields.push_back(line.substr(0, space));
    line.remove_prefix(space == std::string_view::npos ? line.size() : space + 1);
  }
  return fields;
}

bool parse_line(std::string_view line, ReceivedEvent& event) {
  const std::vector<std::string_view> f = split_spaces(line);
  if (f.size() != 6) return false;
  const size_t dash = f[3].find('-');
  if (dash == std::string_view::npos) return false;
  return parse_int(f[0], event.account_id) && parse_int(f[1], event.file_seq) &&
         parse_int(f[2], event.index) && parse_int(f[3].substr(0, dash), event.id.proxy_id) &&
         parse_int(f[3].substr(dash + 1), event.id.sequence) && parse_int(f[4], event.start_ms) &&
         parse_int(f[5], event.received_ms) && event.start_ms >= 0 && event.received_ms >= 0;
}

// Nearest rank: the smallest value with at least `percent`% of the values at or below it.
int64_t percentile(const std::vector<int64_t>& sorted, int percent) {
  if (sorted.empty()) return 0;
  const size_t rank = (sorted.size() * static_cast<size_t>(percent) + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

std::string format_received(const ReceivedEvent& e) {
  return std::to_string(e.account_id) + " " + std::to_string(e.file_seq) + " " +
         std::to_string(e.index) + " " + std::to_string(e.id.proxy_id) + "-" +
         std::to_string(e.id.sequence) + " " + std::to_string(e.start_ms) + " " +
         std::to_string(e.received_ms) + "\n";
}

Status parse_received_log(std::string_view text, std::vector<ReceivedEvent>& out) {
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) break;  // torn last line
    ++line_number;
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ReceivedEvent event;
    if (!parse_line(line, event)) {
      return Error(ErrorCode::kCorrupt, "received log line " + std::to_string(line_number) +
                                            " is not '<account> <file> <index> <stream>-<seq> "
                                            "<start_ms> <received_ms>': '" +
                                            std::string(line.substr(0, 80)) + "'");
    }
    out.push_back(event);
  }
  return Status();
}

RecordingSink::RecordingSink(delivery::LogSink& inner, Clock& clock, FileSystem& files,
                             std::string path, std::function<void(const std::string&)> warn)
    : inner_(inner), clock_(clock), files_(files), path_(std::move(path)), warn_(std::move(warn)) {}

Task<Status> RecordingSink::open_log() {
  Result<std::string> existing = read_file(files_, path_);
  if (existing.ok() && !existing->empty() && existing->back() != '\n') {
    const size_t last_newline = existing->rfind('\n');
    const std::string whole_lines =
        last_newline == std::string::npos ? "" : existing->substr(0, last_newline + 1);
    const auto bytes = std::as_bytes(std::span(whole_lines));
    if (Status s = co_await write_file_atomically(files_, path_, bytes); !s.ok()) co_return s;
  }
  Result<std::unique_ptr<File>> opened = files_.open(path_, OpenMode::kCreate);
  if (!opened.ok()) co_return opened.error();
  log_ = std::move(*opened);
  co_return Status();
}

void append_received(uint64_t seq, const DecodedLogFile& file, int64_t received_ms,
                     std::vector<ReceivedEvent>& out) {
  for (size_t i = 0; i < file.events.size(); ++i) {
    const AttackEvent& e = file.events[i];
    out.push_back(ReceivedEvent{file.header.account_id, seq, i, e.id, e.start_ms, received_ms});
  }
}

Task<Status> RecordingSink::deliver(uint64_t seq, const DecodedLogFile& file) {
  Status delivered = co_await inner_.deliver(seq, file);
  if (!delivered.ok()) co_return delivered;
  std::vector<ReceivedEvent> events;
  append_received(seq, file, clock_.wall_now_ms(), events);
  std::string lines;
  for (const ReceivedEvent& event : events) lines += format_received(event);
  Status recorded;
  if (!log_) recorded = co_await open_log();
  if (recorded.ok()) recorded = log_->append(std::as_bytes(std::span(lines)));
  if (!recorded.ok() && warn_) {
    warn_("received log " + path_ + ": file " + std::to_string(seq) +
          " delivered but not recorded: " + recorded.to_string());
  }
  co_return Status();
}

std::string ReceivedSummary::summary() const {
  return "files=" + std::to_string(files) + " events=" + std::to_string(events) + " " +
         verdict.summary() + "\nlatency_ms p50=" + std::to_string(latency_p50_ms) +
         " p99=" + std::to_string(latency_p99_ms) + " max=" + std::to_string(latency_max_ms) +
         " first_start_ms=" + std::to_string(first_start_ms) +
         " last_received_ms=" + std::to_string(last_received_ms);
}

ReceivedSummary summarize_received(const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                                   const std::vector<ReceivedEvent>& received) {
  ReceivedSummary s;
  std::set<std::pair<uint64_t, uint64_t>> files;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> positions;
  std::map<EventId, uint64_t> copies;
  std::map<EventId, int64_t> latency_ms;  // first receipt
  bool first = true;
  for (const ReceivedEvent& e : received) {
    files.emplace(e.account_id, e.file_seq);
    if (!positions.emplace(e.account_id, e.file_seq, e.index).second)
      continue;  // re-delivered file
    ++copies[e.id];
    const int64_t latency = e.received_ms - e.start_ms;
    auto [it, inserted] = latency_ms.try_emplace(e.id, latency);
    if (!inserted) it->second = std::min(it->second, latency);
    s.first_start_ms = first ? e.start_ms : std::min(s.first_start_ms, e.start_ms);
    s.last_received_ms = first ? e.received_ms : std::max(s.last_received_ms, e.received_ms);
    first = false;
  }
  s.verdict = judge_delivery(ledger, copies, "");
  s.files = files.size();
  s.events = positions.size();
  std::vector<int64_t> sorted;
  sorted.reserve(latency_ms.size());
  for (const auto& [id, ms] : latency_ms) sorted.push_back(ms);
  std::sort(sorted.begin(), sorted.end());
  s.latency_p50_ms = percentile(sorted, 50);
  s.latency_p99_ms = percentile(sorted, 99);
  s.latency_max_ms = sorted.empty() ? 0 : sorted.back();
  return s;
}

}  // namespace lj::audit
