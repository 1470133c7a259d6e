#pragma once
// `lj gen`: the load generator. Runs a fleet of proxies (prod/proxy, the same code the
// simulator runs) against real Gracelands, and writes the ledger that later checks compare
// with what customers receive.
//
//   lj gen --gracelands HOST:PORT[,HOST:PORT...] [--proxies 4] [--accounts 1001,1002]
//          [--account-weights uniform|zipf:S] [--rate 200] [--events 1000] [--batch 50]
//          [--pop NAME] [--first-proxy-id 1]
//          [--ledger FILE] [--timeout-s 120] [--progress-s N]
//          [--graceland-ca FILE --graceland-cert FILE --graceland-key FILE]
//
// With the --graceland-* flags the proxies speak mutual TLS (prod/cmd/common/graceland_tls.h):
// the certificate's CN must name their ids (--first-proxy-id, or a range "FIRST-LAST" covering
// the fleet). If events stay unacknowledged, the last error goes to stderr.
// Each proxy sends to the first Graceland and fails over along the list. With --events it
// stops once every event is acknowledged (or the timeout passes); the ledger file has one
// line per event: "<fate> <proxy_id> <sequence> <account>", fate A(cknowledged),
// I(ndeterminate) or D(ropped). --progress-s N: a line on stderr every N seconds while it runs.
// --accounts items may be ranges FIRST-LAST (2000000-2004999: 5,000 accounts); each proxy picks
// one at random per event, and can number at most 65,536 accounts (one stream each).
// --account-weights zipf:S: the account at rank r in --accounts' order gets 1/r^S of the
// events (S = 1.1: the first 1% of 2,000 accounts carry about half), the same ranks at every
// proxy and the same draws in every run (prod/proxy/account_weights.h); default uniform.

#include <cstdint>
#include <ostream>
#include <span>
#include <string_view>
#include <vector>

namespace lj {

// Returns the process exit status: 0 every event acknowledged, 1 otherwise, 2 usage error.
int run_gen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// --accounts' value: ids and FIRST-LAST ranges, comma-separated, into `accounts`. False for
// anything else (an id 0, a range backwards) or past the 65,536 accounts one proxy can number.
bool parse_gen_accounts(std::string_view value, std::vector<uint64_t>& accounts);

}  // namespace lj
