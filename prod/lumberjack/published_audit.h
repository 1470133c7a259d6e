#pragma once
// PublishedAudit: reads what customers can download - each customer's logs.index and the files
// it lists, decrypted with the customer's private key by the real reader - and judges it
// against the proxies' ledger. The simulator's checker and `lj audit` (real runs, the demo,
// chaos tests) are this one code.
//
// Problems it reports: a logs.index line that is not the next sequence number (a gap), a
// listed file that is missing, unreadable or fails verification, an event of another account
// in a customer's file (a leak). The verdict: acknowledged events published exactly once,
// indeterminate ones at most once, dropped ones never, nothing published that was never sent.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/proxy/ledger.h"

namespace lj::lumberjack {

struct AuditedCustomer {
  uint64_t account_id = 0;
  uint64_t config_id = 1;
  std::string private_key_pem;  // empty: its files are not encrypted
};

class PublishedAudit {
 public:
  // Returns an object's contents, or nullopt if there is no such object.
  using Fetch = std::function<std::optional<std::string>(const std::string& name)>;
  PublishedAudit(Fetch fetch, std::vector<AuditedCustomer> customers);

  // Reads files listed since the last call. Returns the first problem, or "" if none so far.
  std::string refresh();
  const std::map<EventId, uint64_t>& copies() const { return copies_; }
  size_t files() const { return read_.size(); }

 private:
  std::string refresh_customer(const AuditedCustomer& customer);

  Fetch fetch_;
  std::vector<AuditedCustomer> customers_;
  std::set<std::string> read_;
  std::map<EventId, uint64_t> copies_;
};

struct DeliveryVerdict {
  uint64_t acknowledged = 0;
  uint64_t delivered = 0;    // distinct ids published
  uint64_t lost = 0;         // acknowledged, never published
  uint64_t duplicated = 0;   // ids published more than once
  uint64_t phantom = 0;      // published, never sent or dropped
  std::string first_problem;
  bool ok() const { return lost == 0 && duplicated == 0 && phantom == 0 && first_problem.empty(); }
  // "acknowledged=… delivered=… lost=0 dup=0 phantom=0"
  std::string summary() const;
};

// `problem`: what refresh() reported, if anything.
DeliveryVerdict judge_delivery(const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                               const std::map<EventId, uint64_t>& copies, const std::string& problem);

}  // namespace lj::lumberjack
