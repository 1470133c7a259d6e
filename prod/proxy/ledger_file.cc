#include "prod/proxy/ledger_file.h"

#include <sstream>

namespace lj::proxy {

std::string format_ledger(const std::map<EventId, MemoryLedger::Entry>& entries) {
  std::string out;
  for (const auto& [id, entry] : entries) {
    const char fate = entry.fate == EventFate::kAcknowledged ? 'A'
                      : entry.fate == EventFate::kDropped    ? 'D'
                                                             : 'I';
    out += fate;
    out += " " + std::to_string(id.proxy_id) + " " + std::to_string(id.sequence) + " " +
           std::to_string(entry.account_id) + "\n";
  }
  return out;
}

Status parse_ledger(std::string_view text, std::map<EventId, MemoryLedger::Entry>& ledger) {
  std::istringstream lines{std::string(text)};
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    std::istringstream fields(line);
    char fate = 0;
    EventId id;
    MemoryLedger::Entry entry;
    std::string extra;
    if (!(fields >> fate >> id.proxy_id >> id.sequence >> entry.account_id) || (fields >> extra) ||
        (fate != 'A' && fate != 'I' && fate != 'D')) {
      return Error(ErrorCode::kCorrupt, "ledger line " + std::to_string(number) + " is malformed");
    }
    entry.fate = fate == 'A'   ? EventFate::kAcknowledged
                 : fate == 'D' ? EventFate::kDropped
                               : EventFate::kIndeterminate;
    ledger[id] = entry;
  }
  return Status();
}

}  // namespace lj::proxy
