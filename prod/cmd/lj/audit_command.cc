#include "prod/cmd/lj/audit_command.h"

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "prod/audit/published_audit.h"
#include "prod/audit/received_log.h"
#include "prod/audit/syslog_received.h"
#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/lj/check_command.h"
#include "prod/cmd/parse_number.h"
#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/private_key_cache.h"
#include "prod/push/push_credentials.h"
#include "prod/push/s3_client.h"

namespace lj {

namespace {

// Where --storage's published files are read: a directory, or the central store's bucket
// (s3://HOST[:PORT]/BUCKET[/PREFIX], as lumberjack --storage-s3 names it) read with its key pair.
// A file the bucket does not answer for (missing, or an error that may heal) reads as absent,
// and --wait-s asks again.
Result<audit::PublishedAudit::Fetch> storage_fetch(const std::string& storage,
                                                   const std::string& key_file,
                                                   const std::string& ca_file) {
  if (!storage.starts_with("s3://")) {
    if (!key_file.empty())
      return Error(ErrorCode::kInvalidArgument, "--storage-s3-key-file is for an s3:// --storage");
    return audit::PublishedAudit::Fetch(
        [storage](const std::string& name) { return read_file_text(storage + "/" + name); });
  }
  Result<push::S3Url> url = push::parse_s3_url(storage);
  if (!url.ok()) return url.error();
  if (key_file.empty())
    return Error(ErrorCode::kInvalidArgument, "an s3:// --storage needs --storage-s3-key-file");
  Result<push::S3Credential> credential = push::read_s3_key_file(key_file);
  if (!credential.ok()) return credential.error();
  auto client = std::make_shared<push::S3Client>(
      std::move(*url), std::move(*credential),
      push::S3Options{ca_file, std::chrono::seconds(60), 16 << 20});
  return audit::PublishedAudit::Fetch(
      [client](const std::string& name) -> std::optional<std::string> {
        Result<std::string> got = client->get(name);
        if (!got.ok()) return std::nullopt;
        return std::move(*got);
      });
}

// "1001", "1001_2", "1001=key.pem", "1001_2=key.pem"
bool parse_customer(std::string_view text, audit::AuditedCustomer& customer,
                    std::string& key_path) {
  const size_t equals = text.find('=');
  if (equals != std::string_view::npos) key_path = std::string(text.substr(equals + 1));
  const std::string_view ids = text.substr(0, equals);
  const size_t underscore = ids.find('_');
  if (!cmd::parse_positive(ids.substr(0, underscore), customer.account_id)) return false;
  return underscore == std::string_view::npos ||
         cmd::parse_positive(ids.substr(underscore + 1), customer.config_id);
}

// Reads what the customers received (`read` appends it) and judges it against the ledger with
// end-to-end latency, again every half second until nothing is lost or `wait_s` has passed.
int judge_received_until(const std::function<Status(std::vector<audit::ReceivedEvent>&)>& read,
                         const std::map<EventId, proxy::MemoryLedger::Entry>& ledger, double wait_s,
                         std::ostream& out, std::ostream& err) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  audit::ReceivedSummary summary;
  while (true) {
    std::vector<audit::ReceivedEvent> received;
    if (Status s = read(received); !s.ok()) {
      err << "lj audit: " << s.to_string() << "\n";
      return 1;
    }
    summary = audit::summarize_received(ledger, received);
    if (summary.verdict.lost == 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  out << summary.summary() << "\n";
  return summary.verdict.ok() ? 0 : 1;
}

// --received: what the customers' downloaders (`lj fetch --received-log`) handed over.
int audit_received(const std::vector<std::string>& paths,
                   const std::map<EventId, proxy::MemoryLedger::Entry>& ledger, double wait_s,
                   std::ostream& out, std::ostream& err) {
  auto read = [&paths](std::vector<audit::ReceivedEvent>& received) -> Status {
    for (const std::string& path : paths) {
      // A downloader that has received nothing yet has not created its log: that is no error.
      const std::optional<std::string> text = read_file_text(path);
      if (!text) continue;
      if (Status s = audit::parse_received_log(*text, received); !s.ok()) {
        return Error(s.code(), path + ": " + s.error().message());
      }
    }
    return Status();
  };
  return judge_received_until(read, ledger, wait_s, out, err);
}

// --pushed ACCOUNT=DIR[=PRIVATE.pem]: the files a customer's push destination holds (an SFTP
// server's folder), each received when it landed there (its modification time), judged against
// the ledger's events of the pushed customers alone. A name starting with '.' is a put not yet
// renamed into place: not there yet.
struct PushedFolder {
  uint64_t account_id = 0;
  std::string dir;
  std::string private_key_pem;
};

Status read_pushed(const PushedFolder& pushed, std::vector<audit::ReceivedEvent>& received) {
  PrivateKeyCache keys;
  // A folder not made yet (nothing pushed so far) holds nothing: that is no error.
  if (!std::filesystem::exists(pushed.dir)) return Status();
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(pushed.dir, error)) {
    const std::string name = entry.path().filename().string();
    const std::optional<LogFileName> file = parse_log_file_name(name);
    if (name.starts_with('.') || !file || file->account_id != pushed.account_id) continue;
    const std::optional<std::string> text = read_file_text(entry.path().string());
    if (!text) return Error(ErrorCode::kIoError, "cannot read " + entry.path().string());
    Result<DecodedLogFile> decoded = keys.read(*text, pushed.private_key_pem);
    if (!decoded.ok())
      return Error(decoded.code(), entry.path().string() + ": " + decoded.error().message());
    const auto landed = std::chrono::file_clock::to_sys(entry.last_write_time());
    const int64_t landed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(landed.time_since_epoch()).count();
    audit::append_received(file->seq, *decoded, landed_ms, received);
  }
  if (error)
    return Error(ErrorCode::kIoError, "cannot list " + pushed.dir + ": " + error.message());
  return Status();
}

int audit_pushed(const std::vector<PushedFolder>& folders,
                 std::map<EventId, proxy::MemoryLedger::Entry> ledger, double wait_s,
                 std::ostream& out, std::ostream& err) {
  std::set<uint64_t> accounts;
  for (const PushedFolder& folder : folders) accounts.insert(folder.account_id);
  std::erase_if(ledger, [&accounts](const auto& entry) {
    return !accounts.contains(entry.second.account_id);
  });
  auto read = [&folders](std::vector<audit::ReceivedEvent>& received) -> Status {
    for (const PushedFolder& folder : folders) {
      if (Status s = read_pushed(folder, received); !s.ok()) return s;
    }
    return Status();
  };
  return judge_received_until(read, ledger, wait_s, out, err);
}

// --syslog ACCOUNT=FILE: the messages a customer's syslog collector received, one a line as it
// wrote them raw (syslog_received.h), each received when its line says or else when the file
// was last written; judged
// against the ledger's events of those customers alone. A file sent again after a failed send
// repeats its places, which count once: only an event at two places is a duplicate.
int audit_syslog(const std::map<uint64_t, std::string>& collectors,
                 std::map<EventId, proxy::MemoryLedger::Entry> ledger, double wait_s,
                 std::ostream& out, std::ostream& err) {
  std::erase_if(ledger, [&collectors](const auto& entry) {
    return !collectors.contains(entry.second.account_id);
  });
  auto read = [&collectors](std::vector<audit::ReceivedEvent>& received) -> Status {
    for (const auto& [account, path] : collectors) {
      const std::optional<std::string> text = read_file_text(path);
      if (!text) continue;  // nothing received yet
      std::error_code error;
      const auto written =
          std::chrono::file_clock::to_sys(std::filesystem::last_write_time(path, error));
      const int64_t written_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(written.time_since_epoch()).count();
      std::vector<audit::ReceivedEvent> events;
      if (Status s = audit::append_syslog_events(*text, written_ms, events); !s.ok())
        return Error(s.code(), path + ": " + s.error().message());
      for (const audit::ReceivedEvent& event : events) {
        if (event.account_id != account)
          return Error(ErrorCode::kCorrupt, path + ": an event of account " +
                                                std::to_string(event.account_id) + ", not " +
                                                std::to_string(account));
        received.push_back(event);
      }
    }
    return Status();
  };
  return judge_received_until(read, ledger, wait_s, out, err);
}

// "1004=/srv/in/1004" or "1004=/srv/in/1004=key.pem"
bool parse_pushed(const std::string& text, PushedFolder& pushed) {
  const size_t first = text.find('=');
  if (first == std::string::npos ||
      !cmd::parse_positive(std::string_view(text).substr(0, first), pushed.account_id)) {
    return false;
  }
  const size_t second = text.find('=', first + 1);
  pushed.dir =
      text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (second == std::string::npos) return !pushed.dir.empty();
  const std::optional<std::string> key = read_file_text(text.substr(second + 1));
  if (!key) return false;
  pushed.private_key_pem = *key;
  return !pushed.dir.empty();
}

// --syslog ACCOUNT=FILE, each given: 2 after saying why if one is not that.
int audit_syslog_texts(const std::vector<std::string>& texts,
                       std::map<EventId, proxy::MemoryLedger::Entry> ledger, double wait_s,
                       std::ostream& out, std::ostream& err) {
  std::map<uint64_t, std::string> collectors;
  for (const std::string& text : texts) {
    const size_t equals = text.find('=');
    uint64_t account = 0;
    if (equals == std::string::npos || equals + 1 == text.size() ||
        !cmd::parse_positive(std::string_view(text).substr(0, equals), account)) {
      err << "lj audit: --syslog wants ACCOUNT=FILE, not '" << text << "'\n";
      return 2;
    }
    collectors[account] = text.substr(equals + 1);
  }
  return audit_syslog(collectors, std::move(ledger), wait_s, out, err);
}

// --pushed ACCOUNT=DIR[=PRIVATE.pem], each given: 2 after saying why if one is not that.
int audit_pushed_texts(const std::vector<std::string>& texts,
                       std::map<EventId, proxy::MemoryLedger::Entry> ledger, double wait_s,
                       std::ostream& out, std::ostream& err) {
  std::vector<PushedFolder> folders;
  for (const std::string& text : texts) {
    PushedFolder folder;
    if (!parse_pushed(text, folder)) {
      err << "lj audit: --pushed wants ACCOUNT=DIR[=PRIVATE.pem] (a readable key), not '" << text
          << "'\n";
      return 2;
    }
    folders.push_back(std::move(folder));
  }
  return audit_pushed(folders, std::move(ledger), wait_s, out, err);
}

// Judges the published files `fetch` reads against the ledger, again every half second until
// nothing is lost or `wait_s` has passed.
int audit_published(Result<audit::PublishedAudit::Fetch> fetch, const std::string& storage,
                    std::vector<audit::AuditedCustomer> customers, audit::IndexStart index_start,
                    const std::map<EventId, proxy::MemoryLedger::Entry>& ledger, double wait_s,
                    std::ostream& out, std::ostream& err) {
  if (!fetch.ok()) {
    err << "lj audit: --storage " << storage << ": " << fetch.error().message() << "\n";
    return 2;
  }
  audit::PublishedAudit audit(std::move(*fetch), std::move(customers), index_start);
  // Wall-clock polling belongs to this command, not to any logic: it waits for real processes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  audit::DeliveryVerdict verdict;
  while (true) {
    const std::string problem = audit.refresh();
    verdict = audit::judge_delivery(ledger, audit.copies(), problem,
                                    audit.accounts_after_retention(), &audit.contents());
    if (verdict.lost == 0 || !problem.empty() || std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  out << verdict.summary() << " files=" << audit.files() << "\n";
  return verdict.ok() ? 0 : 1;
}

}  // namespace

int run_audit(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Judges what customers can download (--storage with --customer) or what their downloaders "
      "got "
      "(--received) against lj gen's ledger: acknowledged events exactly once, intact.",
      "lj audit"};
  std::string storage, ledger_path;
  std::vector<std::string> customer_texts, received, pushed_texts;
  std::vector<std::string> syslog_texts;
  double wait_s = 0;
  bool after_retention = false;
  app.add_option("--ledger", ledger_path, "the ledger lj gen wrote")->required();
  std::string storage_key_file, storage_ca;
  CLI::Option* storage_option = app.add_option(
      "--storage", storage,
      "the published files: a directory store, or the S3 store's s3://HOST[:PORT]/BUCKET[/PREFIX]");
  app.add_option("--storage-s3-key-file", storage_key_file,
                 "an s3:// store's key pair, ACCESS_KEY_ID SECRET_ACCESS_KEY (mode 0600)")
      ->needs(storage_option);
  app.add_option("--storage-ca", storage_ca,
                 "an s3:// store's certificate is verified against this CA (default: the system's)")
      ->needs(storage_option);
  CLI::Option* customer_option = app.add_option("--customer", customer_texts,
                                                "ACCOUNT[_CONFIG][=PRIVATE.pem], once per customer")
                                     ->needs(storage_option);
  storage_option->needs(customer_option);
  CLI::Option* received_option =
      app.add_option("--received", received,
                     "a downloader's lj fetch --received-log, once per file")
          ->excludes(storage_option);
  CLI::Option* pushed_option = app.add_option("--pushed", pushed_texts,
                                              "ACCOUNT=DIR[=PRIVATE.pem]: the folder a customer's "
                                              "files are pushed to, once per customer")
                                   ->excludes(storage_option)
                                   ->excludes(received_option);
  CLI::Option* syslog_option =
      app.add_option("--syslog", syslog_texts,
                     "ACCOUNT=FILE: the messages a customer's syslog collector received, raw, one "
                     "a line (rsyslog: %rawmsg%, optionally after the receipt time "
                     "<epoch s>.<fraction>), once per customer")
          ->excludes(storage_option)
          ->excludes(received_option)
          ->excludes(pushed_option);
  app.add_option("--wait-s", wait_s, "wait up to this long for events still missing")
      ->check(CLI::Range(0.0, 86'400.0));
  app.add_flag(
         "--after-retention", after_retention,
         "logs.index may start after file 1: events of removed files count as expired, not lost")
      ->needs(storage_option);
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  if (storage_option->count() == 0 && received_option->count() == 0 &&
      pushed_option->count() == 0 && syslog_option->count() == 0) {
    err << "lj audit: give --storage with --customer, --received, --pushed or --syslog (lj audit "
           "--help: every flag)\n";
    return 2;
  }
  std::vector<audit::AuditedCustomer> customers;
  for (const std::string& text : customer_texts) {
    audit::AuditedCustomer customer;
    std::string key_path;
    if (!parse_customer(text, customer, key_path)) {
      err << "lj audit: --customer wants ACCOUNT[_CONFIG][=PRIVATE.pem], not '" << text << "'\n";
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
  }
  const audit::IndexStart index_start =
      after_retention ? audit::IndexStart::kAfterRetention : audit::IndexStart::kFirstFile;
  std::map<EventId, proxy::MemoryLedger::Entry> ledger;
  if (!load_ledger(ledger_path, ledger, err)) return 1;
  if (!received.empty()) return audit_received(received, ledger, wait_s, out, err);
  if (!syslog_texts.empty())
    return audit_syslog_texts(syslog_texts, std::move(ledger), wait_s, out, err);
  if (!pushed_texts.empty())
    return audit_pushed_texts(pushed_texts, std::move(ledger), wait_s, out, err);

  return audit_published(storage_fetch(storage, storage_key_file, storage_ca), storage,
                         std::move(customers), index_start, ledger, wait_s, out, err);
}

}  // namespace lj
