#include "prod/cmd/parse_number.h"
#include "prod/cmd/lj/audit_command.h"
#include "prod/cmd/common/file_text.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "prod/cmd/lj/check_command.h"
#include "prod/delivery/received_log.h"
#include "prod/lumberjack/published_audit.h"

namespace lj {

namespace {

// "1001", "1001_2", "1001=key.pem", "1001_2=key.pem"
bool parse_customer(std::string_view text, lumberjack::AuditedCustomer& customer, std::string& key_path) {
  const size_t equals = text.find('=');
  if (equals != std::string_view::npos) key_path = std::string(text.substr(equals + 1));
  const std::string_view ids = text.substr(0, equals);
  const size_t underscore = ids.find('_');
  if (!cmd::parse_positive(ids.substr(0, underscore), customer.account_id)) return false;
  return underscore == std::string_view::npos || cmd::parse_positive(ids.substr(underscore + 1), customer.config_id);
}

// --received: what the customers' downloaders (`lj fetch --received-log`) handed over, judged
// against the ledger, with end-to-end latency. Waits up to `wait_s` for lost events to arrive.
int audit_received(const std::vector<std::string>& paths,
                   const std::map<EventId, proxy::MemoryLedger::Entry>& ledger, double wait_s,
                   std::ostream& out, std::ostream& err) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  delivery::ReceivedSummary summary;
  while (true) {
    std::vector<delivery::ReceivedEvent> received;
    for (const std::string& path : paths) {
      // A downloader that has received nothing yet has not created its log: that is no error.
      const std::optional<std::string> text = read_file_text(path);
      if (!text) continue;
      if (Status s = delivery::parse_received_log(*text, received); !s.ok()) {
        err << "lj audit: " << path << ": " << s.to_string() << "\n";
        return 1;
      }
    }
    summary = delivery::summarize_received(ledger, received);
    if (summary.verdict.lost == 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  out << summary.summary() << "\n";
  return summary.verdict.ok() ? 0 : 1;
}

}  // namespace

int run_audit(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::string storage, ledger_path;
  std::vector<lumberjack::AuditedCustomer> customers;
  std::vector<std::string> received;
  double wait_s = 0;
  lumberjack::IndexStart index_start = lumberjack::IndexStart::kFirstFile;
  bool missing_value = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (flag == "--after-retention") {
      index_start = lumberjack::IndexStart::kAfterRetention;
      continue;
    }
    if (i + 1 >= args.size()) {
      missing_value = true;
      break;
    }
    const std::string_view value = args[++i];
    if (flag == "--storage") {
      storage = std::string(value);
    } else if (flag == "--ledger") {
      ledger_path = std::string(value);
    } else if (flag == "--received") {
      received.emplace_back(value);
    } else if (flag == "--wait-s") {
      if (!cmd::parse_number(value, wait_s) || wait_s < 0 || wait_s > 86'400) {
        err << "lj audit: --wait-s wants 0 to 86400 seconds, not '" << value << "'\n";
        return 2;
      }
    } else if (flag == "--customer") {
      lumberjack::AuditedCustomer customer;
      std::string key_path;
      if (!parse_customer(value, customer, key_path)) {
        err << "lj audit: --customer wants ACCOUNT[_CONFIG][=PRIVATE.pem], not '" << value << "'\n";
        return 2;
      }
      if (!key_path.empty()) {
        std::optional<std::string> key = read_file_text(key_path);
        if (!key) {
          err << "lj audit: cannot read " << key_path << "\n";
          return 1;
        }
        customer.private_key_pem = *key;
      }
      customers.push_back(customer);
    } else {
      err << "lj audit: unknown flag " << flag << "\n";
      return 2;
    }
  }
  const bool published = !storage.empty() && !customers.empty();
  if (ledger_path.empty() || published == !received.empty() || missing_value ||
      (index_start == lumberjack::IndexStart::kAfterRetention && !published)) {
    err << "usage: lj audit --ledger FILE --storage DIR --customer ACCOUNT[_CONFIG][=PRIVATE.pem] [...] [--wait-s N]\n"
           "                [--after-retention]   (logs.index may start after file 1; events of removed\n"
           "                                       files count as expired, not lost)\n"
           "       lj audit --ledger FILE --received FILE [--received FILE ...] [--wait-s N]\n";
    return 2;
  }
  std::map<EventId, proxy::MemoryLedger::Entry> ledger;
  if (!load_ledger(ledger_path, ledger, err)) return 1;
  if (!received.empty()) return audit_received(received, ledger, wait_s, out, err);

  lumberjack::PublishedAudit audit([&storage](const std::string& name) { return read_file_text(storage + "/" + name); },
                                   customers, index_start);
  // Wall-clock polling belongs to this command, not to any logic: it waits for real processes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  lumberjack::DeliveryVerdict verdict;
  while (true) {
    const std::string problem = audit.refresh();
    verdict = lumberjack::judge_delivery(ledger, audit.copies(), problem, audit.accounts_after_retention(),
                                         &audit.contents());
    if (verdict.lost == 0 || !problem.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  out << verdict.summary() << " files=" << audit.files() << "\n";
  return verdict.ok() ? 0 : 1;
}

}  // namespace lj
