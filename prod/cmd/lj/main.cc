// lj: the command-line tool for Lumberjack log files.
//   lj keygen ...   make a customer key pair       (keygen_command.h)
//   lj cat ...      print or verify a log file     (cat_command.h)
//   lj gen ...      run a fleet of proxies          (gen_command.h)
//   lj check ...    compare a ledger with the PoPs  (check_command.h)
//   lj ctl ...      manage customers, cluster status (ctl_command.h)
//   lj fetch ...    download, verify, decrypt a folder (fetch_command.h)
//   lj audit ...    judge published files vs a ledger (audit_command.h)
//   lj sim ...      run or replay simulated seeds   (the lj-sim binary beside this one)

#include <unistd.h>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "prod/cmd/lj/audit_command.h"
#include "prod/cmd/lj/cat_command.h"
#include "prod/cmd/lj/check_command.h"
#include "prod/cmd/lj/ctl_command.h"
#include "prod/cmd/lj/fetch_command.h"
#include "prod/cmd/lj/gen_command.h"
#include "prod/cmd/lj/keygen_command.h"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const std::string_view command = args.empty() ? "" : args.front();
  const std::span<const std::string_view> rest =
      args.empty() ? std::span<const std::string_view>() : std::span(args).subspan(1);
  if (command == "keygen") return lj::run_keygen(rest, std::cout, std::cerr);
  if (command == "cat") return lj::run_cat(rest, std::cout, std::cerr);
  if (command == "gen") return lj::run_gen(rest, std::cout, std::cerr);
  if (command == "check") return lj::run_check(rest, std::cout, std::cerr);
  if (command == "ctl") return lj::run_ctl(rest, std::cout, std::cerr);
  if (command == "fetch") return lj::run_fetch(rest, std::cout, std::cerr);
  if (command == "audit") return lj::run_audit(rest, std::cout, std::cerr);
  if (command == "sim") {
    // The simulator is its own binary (prod/ never links sim/); `lj sim` hands over to it.
    const std::string self = argv[0];
    const size_t slash = self.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : self.substr(0, slash);
    std::vector<std::string> candidates = {dir + "/lj-sim", dir + "/../../../sim/lj-sim"};
    for (const std::string& path : candidates) {
      if (::access(path.c_str(), X_OK) == 0) {
        argv[1] = const_cast<char*>("lj-sim");
        ::execv(path.c_str(), argv + 1);
      }
    }
    std::cerr << "lj sim: lj-sim not found beside lj (build target lj-sim)\n";
    return 2;
  }
  const bool asked = command == "--help" || command == "-h" || command == "help";
  (asked ? std::cout : std::cerr)
      << "usage: lj keygen --private PRIVATE.pem --public PUBLIC.pem [--bits N] [--pkcs1]\n"
         "       lj cat FILE [--key PRIVATE.pem] [--verify-only]\n"
         "       lj gen --gracelands HOST:PORT[,...] [--proxies N] [--events N] [--ledger FILE] "
         "[--journal-dir DIR]\n"
         "              [--graceland-ca FILE --graceland-cert FILE --graceland-key FILE]   (mutual "
         "TLS)\n"
         "       lj check --gracelands HOST:PORT[,...] --ledger FILE [--graceland-ca ... (as lj "
         "gen)]\n"
         "       lj ctl --zookeeper HOSTS add|set|remove|list|status|drain|undrain [...]\n"
         "       lj fetch --url https://HOST/<account>_<config>/ --user NAME --password-file FILE "
         "--state FILE\n"
         "                (--out-dir DIR | --syslog HOST:PORT) [--key PRIVATE.pem] [--once] [...]\n"
         "       lj audit --storage DIR --ledger FILE --customer ACCOUNT[=PRIVATE.pem] [...] "
         "[--wait-s N]\n"
         "                [--after-retention]   logs.index may start after file 1 (retention)\n"
         "       lj audit --ledger FILE --received FILE [...] [--wait-s N]   what lj fetch "
         "--received-log got\n"
         "       lj sim echo|ingest|delivery|canary [--seed N] [--seeds K] [--log] [--trace "
         "FILE.json]\n"
         "                [--faults 'SCHEDULE'] [--planted BUG] [...]   (lj sim --help: all "
         "flags)\n"
         "lj COMMAND --help prints the command's flags.\n";
  return asked ? 0 : 2;
}
