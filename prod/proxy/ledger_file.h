#pragma once
// The ledger as `lj gen` writes it: one line per event, "<A|I|D> <proxy_id> <sequence> <account>"
// (acknowledged, indeterminate, dropped), read back by `lj check` and `lj audit`.

#include <map>
#include <string>
#include <string_view>

#include "prod/io/result.h"
#include "prod/proxy/ledger.h"

namespace lj::proxy {

std::string format_ledger(const std::map<EventId, MemoryLedger::Entry>& entries);
// Merges the lines of `text` into `ledger`; kCorrupt names the first malformed line.
Status parse_ledger(std::string_view text, std::map<EventId, MemoryLedger::Entry>& ledger);

}  // namespace lj::proxy
