#pragma once
// PublishedAudit: reads what customers can download - each customer's logs.index and the files
// it lists, decrypted with the customer's private key by the real reader - and judges it
// against the proxies' ledger. The simulator's checker and `lj audit` (real runs, the demo,
// chaos tests) are this one code.
//
// Problems it reports: a logs.index line that is not the next sequence number (a gap), a
// listed file that is missing, unreadable or fails verification, an event of another account
// in a customer's file (a leak). The verdict: acknowledged events published exactly once,
// indeterminate ones at most once, dropped ones never, nothing published that was never sent,
// and every published event the one its proxy sent: the same contents, field by field
// (contents_digest, computed apart from every encoder it judges), for the customer the
// proxy's ledger names.
//
// Retention (prod/delivery/retention.h) removes a customer's oldest files and the head of its
// logs.index, which then starts after file 1. By default that is a gap: the audit is strict.
// Told that retention ran (IndexStart::kAfterRetention), it accepts an index starting at any
// file, and a listed file that is gone if retention's mark (logs.expired) covers it, and the
// verdict counts an acknowledged event missing from an account whose index started after file 1 as
// expired, not lost: once a file is removed, an event that was in it and one that never was look
// the same. Files read before retention removed them still count (an audit that refreshes while the
// system runs sees every file), so run the audit alongside, or before the retention period passes,
// where every event must be accounted for.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/proxy/ledger.h"

namespace lj::audit {

struct AuditedCustomer {
  uint64_t account_id = 0;
  uint64_t config_id = 1;
  std::string private_key_pem;                    // empty: its files are not encrypted
  BodyEncoding encoding = BodyEncoding::kModern;  // what its downloader is told to accept
};

// Where a customer's logs.index may begin.
enum class IndexStart {
  kFirstFile,       // at file 1, always: the strict default
  kAfterRetention,  // at any file: retention removed the ones before it
};

class PublishedAudit {
 public:
  // Returns an object's contents, or nullopt if there is no such object.
  using Fetch = std::function<std::optional<std::string>(const std::string& name)>;
  // Decodes a listed file's contents with its customer's key; by default the real reader
  // (read_log_file). The simulator passes one that reuses what its publish monitor decoded.
  using Decode = std::function<Result<DecodedLogFile>(
      const std::string& object, std::string_view contents, const std::string& private_key_pem)>;
  PublishedAudit(Fetch fetch, std::vector<AuditedCustomer> customers,
                 IndexStart start = IndexStart::kFirstFile, Decode decode = nullptr);

  // Reads files listed since the last call. Returns the first problem, or "" if none so far.
  std::string refresh();
  // The same, for one account's folders only (an unknown account: nothing to do).
  std::string refresh_account(uint64_t account_id);
  const std::map<EventId, uint64_t>& copies() const { return copies_; }
  // What each published event was, as read (its first copy).
  struct Contents {
    uint64_t account_id = 0;  // the customer whose folder holds it
    uint64_t digest = 0;      // proxy::contents_digest of the event read back
  };
  const std::map<EventId, Contents>& contents() const { return contents_; }
  size_t files() const { return read_.size(); }
  // Accounts with a logs.index seen starting after file 1 (only with kAfterRetention).
  const std::set<uint64_t>& accounts_after_retention() const { return accounts_after_retention_; }

 private:
  std::string refresh_customer(const AuditedCustomer& customer);
  // Whether retention removed file `seq`: the index starts after it now, or retention's mark
  // (logs.expired) covers it.
  bool expired(const AuditedCustomer& customer, const std::string& folder, uint64_t seq);
  // The first file a logs.index lists now; nullopt if it lists none or cannot be read.
  std::optional<uint64_t> first_listed(const AuditedCustomer& customer, const std::string& folder);

  Fetch fetch_;
  Decode decode_;
  std::vector<AuditedCustomer> customers_;
  IndexStart start_;
  std::set<std::string> read_;
  std::map<EventId, uint64_t> copies_;
  std::map<EventId, Contents> contents_;
  std::set<uint64_t> accounts_after_retention_;
};

struct DeliveryVerdict {
  uint64_t acknowledged = 0;
  uint64_t delivered = 0;   // distinct ids published
  uint64_t lost = 0;        // acknowledged, never published
  uint64_t duplicated = 0;  // ids published more than once
  uint64_t phantom = 0;     // published, never sent or dropped
  uint64_t expired = 0;     // acknowledged, not in any file read, of an account retention thinned
  uint64_t altered = 0;     // published with contents, or for a customer, other than sent
  std::string first_problem;
  bool ok() const {
    return lost == 0 && duplicated == 0 && phantom == 0 && altered == 0 && first_problem.empty();
  }
  // "acknowledged=… delivered=… lost=0 dup=0 phantom=0", then " expired=…" if any expired.
  std::string summary() const;
};

// `problem`: what refresh() reported, if anything. `accounts_after_retention`: whose missing
// acknowledged events count as expired rather than lost (PublishedAudit says which).
// `contents`, if given: each published event is compared with the ledger's digest (where the
// ledger has one) and account.
DeliveryVerdict judge_delivery(
    const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
    const std::map<EventId, uint64_t>& copies, const std::string& problem,
    const std::set<uint64_t>& accounts_after_retention = {},
    const std::map<EventId, PublishedAudit::Contents>* contents = nullptr);

}  // namespace lj::audit
