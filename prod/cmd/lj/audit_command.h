#pragma once
// `lj audit`: what customers can download, judged against the proxies' ledger.
//
//   lj audit --storage DIR --ledger FILE --customer ACCOUNT[_CONFIG][=PRIVATE.pem] [...]
//            [--wait-s N] [--after-retention]
//
// Reads each customer's logs.index and files from the storage directory, decrypts and verifies
// them with the real reader, and prints "acknowledged=… delivered=… lost=… dup=… phantom=…".
// With --wait-s it re-reads until every acknowledged event is published or N seconds pass.
// A logs.index must start at file 1 unless --after-retention says retention removed the older
// files; then acknowledged events of those customers found in no file are "expired=…", not
// lost (published_audit.h says why they cannot be told apart once the files are gone).
// Exits 0 only when nothing acknowledged is lost, nothing is duplicated or invented, and no
// file is missing, corrupt, out of sequence or holds another customer's events.
//
//   lj audit --ledger FILE --received FILE [--received FILE ...] [--wait-s N]
//
// Judges what the customers' downloaders received instead (`lj fetch --received-log`: the
// events as downloaded through nginx, verified and decrypted), and prints end-to-end latency:
// "files=… events=… acknowledged=… delivered=… lost=… dup=… phantom=…" and
// "latency_ms p50=… p99=… max=… first_start_ms=… last_received_ms=…" (received_log.h).

#include <ostream>
#include <span>
#include <string_view>

namespace lj {

int run_audit(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace lj
