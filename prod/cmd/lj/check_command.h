#pragma once
// `lj check`: compares a load generator's ledger with what the Gracelands hold.
//
//   lj check --gracelands HOST:PORT[,HOST:PORT...] --ledger FILE
//
// Prints acknowledged, stored, lost, phantom and cross-PoP duplicates; exits 0 only when no
// acknowledged event is lost and nothing stored was never sent.

#include <ostream>
#include <span>
#include <string_view>

namespace lj {

int run_check(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace lj
