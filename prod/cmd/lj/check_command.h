#pragma once
// `lj check`: compares a load generator's ledger with what the Gracelands hold.
//
//   lj check --gracelands HOST:PORT[,HOST:PORT...] --ledger FILE
//
// Prints acknowledged, stored, lost, phantom and cross-PoP duplicates; exits 0 only when no
// acknowledged event is lost and nothing stored was never sent.

#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "prod/proxy/ledger.h"

namespace lj {

int run_check(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// Reads a ledger file written by `lj gen`; says on `err` what is wrong if it cannot.
bool load_ledger(const std::string& path, std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                 std::ostream& err);

}  // namespace lj
