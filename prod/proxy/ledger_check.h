#pragma once
// Compares the proxies' ledger with what the Gracelands hold, through the same read API
// Lumberjack uses. Used by the simulator's ingest checker and by `lj check`.

#include <map>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/env.h"
#include "prod/proxy/ledger.h"

namespace lj::proxy {

struct StoredEvents {
  std::map<EventId, int> copies;      // event id -> copies across all Gracelands
  std::vector<std::string> problems;  // corrupt records, events under the wrong customer
};

// Reads every customer's events from every Graceland in `addresses`.
Task<Result<StoredEvents>> read_all_events(const Env& env,
                                           const std::vector<std::string>& addresses);

struct IngestVerdict {
  uint64_t acknowledged = 0;
  uint64_t stored = 0;      // distinct ids stored
  uint64_t lost = 0;        // acknowledged, stored nowhere
  uint64_t phantom = 0;     // stored, never sent (or dropped)
  uint64_t duplicates = 0;  // extra copies across PoPs (Lumberjack drops them)
  std::string first_problem;
  bool ok() const { return lost == 0 && phantom == 0 && first_problem.empty(); }
  std::string summary() const;
};

IngestVerdict judge(const std::map<EventId, MemoryLedger::Entry>& ledger,
                    const StoredEvents& stored);

}  // namespace lj::proxy
