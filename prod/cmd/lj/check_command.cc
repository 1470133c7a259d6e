#include "prod/cmd/lj/check_command.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/common/graceland_tls.h"
#include "prod/proxy/ledger_check.h"
#include "prod/proxy/ledger_file.h"
#include "prod/real/asio_runtime.h"

namespace lj {

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
  CLI::App app{
      "Compares a ledger written by lj gen with what the PoPs' Gracelands hold: every acknowledged "
      "event stored, intact.",
      "lj check"};
  std::vector<std::string> gracelands;
  std::string ledger_path;
  cmd::GracelandTlsFlags tls;
  app.add_option("--gracelands", gracelands, "the Gracelands to read, HOST:PORT,...")
      ->required()
      ->delimiter(',');
  app.add_option("--ledger", ledger_path, "the ledger lj gen wrote")->required();
  tls.add_to(app);
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
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
