#pragma once
// `lj ctl`: operators manage customers and look at the cluster, through ZooKeeper.
//
//   lj ctl --zookeeper HOSTS [--zk-root /lj] add|set --account N [--config N] [--format CEF|W3C]
//          [--encoding modern|imperva] [--no-compress] [--public-key PUB.pem] [--public-key-id ID]
//          [--username U (--password-file F | --generate-password F)] [--roll-events N]
//          [--roll-bytes N] [--roll-age-ms MS]
//   lj ctl ... add --from FILE [flags every line shares]   many customers in one session: each
//          line of FILE holds one customer's flags (`--account 1001 --username siem-1001 ...`,
//          words without quoting; blank lines and lines starting with # are skipped)
//   lj ctl ... remove --account N
//   lj ctl ... list
//   lj ctl ... status        master, workers, drained nodes, assignments; per customer and PoP the
//   lag lj ctl ... drain --node NAME     take a Lumberjack node out of rotation: the master moves
//   its
//                                    customers to the others (prod/lumberjack/drain.h)
//   lj ctl ... undrain --node NAME   put it back: the master balances customers onto it again
//
// `lj ctl --help` and `lj ctl VERB --help` print the flags (CLI11); --zookeeper, --zk-root and
// --zk-auth may come before or after the verb.
// `add` fails if the customer exists and `set` if it does not; `set` changes only the flags
// given (compare-and-set on the node's version). A password is a system-generated API key of at
// least 128 bits (prod/lumberjack/credentials.h): --generate-password F makes a fresh one and
// writes it to F (created with mode 0600, never overwritten); --password-file F reads one (never
// from the command line, where `ps` shows it) and refuses anything shorter. Only a salted hash
// is stored.

#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace lj {

int run_ctl(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// One line of `add --from`: "--flag value" pairs separated by blanks into `values`. True for
// a blank line or a comment (no values); false for a word that is not a flag, a flag without
// its value, or a flag given twice.
bool parse_ctl_flag_line(std::string_view line, std::map<std::string, std::string>& values);

}  // namespace lj
