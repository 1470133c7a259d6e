#pragma once
// The received log: what a downloader handed to its sink, one line per event, so that a real run
// can be judged against the proxies' ledger from the customer's side (lost, duplicated) and its
// end-to-end latency measured (`lj fetch --received-log`, `lj audit --received`).
//
// Line: "<account> <file_seq> <index> <stream>-<sequence> <start_ms> <received_ms>\n"
//   index        the event's position in its file, from 0
//   start_ms     the event's start time: the proxy stamps it when it creates the event, just
//                before queueing it for sending
//   received_ms  wall time when the downloader had the file downloaded, verified, decrypted and
//                accepted by its sink
//
// A file handed to the sink twice (the downloader crashed between its sink and its saved state)
// writes the same (account, file_seq, index) lines again; the summary counts such a position
// once. A duplicate is therefore an event at two positions of a customer's published files (or
// two customers'), never a repeated download.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/audit/published_audit.h"
#include "prod/delivery/fetcher.h"
#include "prod/io/clock.h"
#include "prod/io/files.h"
#include "prod/proxy/ledger.h"

namespace lj::audit {

struct ReceivedEvent {
  uint64_t account_id = 0;
  uint64_t file_seq = 0;
  uint64_t index = 0;
  EventId id;
  int64_t start_ms = 0;
  int64_t received_ms = 0;
  bool operator==(const ReceivedEvent&) const = default;
};

std::string format_received(const ReceivedEvent& event);
// The events of file `seq`, received whole at `received_ms`, appended to `out` in file order.
void append_received(uint64_t seq, const DecodedLogFile& file, int64_t received_ms,
                     std::vector<ReceivedEvent>& out);

// Appends the events of `text` to `out`. kCorrupt names the first malformed line (1-based). An
// unterminated last line (its writer was killed mid-append) is ignored, not an error.
Status parse_received_log(std::string_view text, std::vector<ReceivedEvent>& out);

// Hands each file to `inner`; once it is accepted, appends the file's events to the received
// log at `path` (created if absent; not synced: a report, not state - the sink's output and the
// fetcher's state file are what must survive a crash).
class RecordingSink final : public delivery::LogSink {
 public:
  // All references outlive the sink. `warn` hears about a report line that could not be
  // written: the file was delivered all the same (returning the failure would make the
  // fetcher hand the file to the inner sink a second time), so the report is short by it.
  RecordingSink(delivery::LogSink& inner, Clock& clock, FileSystem& files, std::string path,
                std::function<void(const std::string&)> warn = nullptr);
  Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) override;

 private:
  // Opens the log for appending. A process killed mid-append leaves a torn last line; it is
  // cut off first, so the next line does not fuse with it into one the parser must refuse.
  Task<Status> open_log();

  delivery::LogSink& inner_;
  Clock& clock_;
  FileSystem& files_;
  std::string path_;
  std::function<void(const std::string&)> warn_;
  std::unique_ptr<File> log_;
};

struct ReceivedSummary {
  DeliveryVerdict verdict;  // vs the ledger: lost, dup, phantom
  uint64_t files = 0;       // distinct (account, file_seq)
  uint64_t events = 0;      // distinct (account, file_seq, index)
  // Over distinct event ids, at their first receipt: received_ms - start_ms.
  int64_t latency_p50_ms = 0;
  int64_t latency_p99_ms = 0;
  int64_t latency_max_ms = 0;
  int64_t first_start_ms = 0;    // the earliest event's start
  int64_t last_received_ms = 0;  // the latest receipt
  // "files=… events=… acknowledged=… delivered=… lost=0 dup=0 phantom=0 [first problem: …]\n
  //  latency_ms p50=… p99=… max=… first_start_ms=… last_received_ms=…"
  std::string summary() const;
};

ReceivedSummary summarize_received(const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                                   const std::vector<ReceivedEvent>& received);

}  // namespace lj::audit
