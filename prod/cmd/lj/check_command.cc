#include "prod/cmd/lj/check_command.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/common/graceland_tls.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "prod/proxy/ledger_check.h"
#include "prod/proxy/ledger_file.h"
#include "prod/real/asio_runtime.h"

namespace lj {

namespace {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  std::stringstream stream{std::string(text)};
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

// Reads a ledger file written by `lj gen` (shared with `lj audit`).
bool load_ledger(const std::string& path, std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                 std::ostream& err) {
  const std::optional<std::string> text = read_file_text(path);
  if (!text) {
    err << "lj: cannot read ledger " << path << "\n";
    return false;
  }
  if (Status s = proxy::parse_ledger(*text, ledger); !s.ok()) {
    err << "lj: " << path << ": " << s.to_string() << "\n";
    return false;
  }
  return true;
}

int run_check(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> gracelands;
  std::string ledger_path;
  cmd::GracelandTlsFlags tls;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--gracelands") {
      gracelands = split_commas(args[i + 1]);
    } else if (args[i] == "--ledger") {
      ledger_path = std::string(args[i + 1]);
    } else if (tls.take(args[i], args[i + 1])) {
    } else {
      err << "lj check: unknown flag " << args[i] << "\n";
      return 2;
    }
  }
  if (gracelands.empty() || ledger_path.empty() || args.size() % 2 != 0 || !tls.problem().empty()) {
    err << "usage: lj check --gracelands HOST:PORT[,...] --ledger FILE " << cmd::kGracelandTlsUsage << "\n";
    return 2;
  }
  std::map<EventId, proxy::MemoryLedger::Entry> ledger;
  if (!load_ledger(ledger_path, ledger, err)) return 1;
  RealRuntime runtime(".");
  std::unique_ptr<Network> tls_network;
  Result<Env> reader_env = cmd::graceland_env(runtime.env(), tls, tls_network);
  if (!reader_env.ok()) {
    err << "lj check: " << reader_env.error().to_string() << "\n";
    return 2;
  }
  Result<proxy::StoredEvents> stored = runtime.run(proxy::read_all_events(*reader_env, gracelands));
  if (!stored.ok()) {
    err << "lj check: " << stored.error().to_string() << "\n";
    return 1;
  }
  const proxy::IngestVerdict verdict = proxy::judge(ledger, *stored);
  out << verdict.summary() << "\n";
  return verdict.ok() ? 0 : 1;
}

}  // namespace lj
