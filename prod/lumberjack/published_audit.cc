#include "prod/lumberjack/published_audit.h"

#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_reader.h"

namespace lj::lumberjack {

namespace {

std::string id_text(const EventId& id) { return std::to_string(id.proxy_id) + "/" + std::to_string(id.sequence); }

}  // namespace

PublishedAudit::PublishedAudit(Fetch fetch, std::vector<AuditedCustomer> customers)
    : fetch_(std::move(fetch)), customers_(std::move(customers)) {}

std::string PublishedAudit::refresh() {
  for (const AuditedCustomer& customer : customers_) {
    if (std::string problem = refresh_customer(customer); !problem.empty()) return problem;
  }
  return "";
}

std::string PublishedAudit::refresh_customer(const AuditedCustomer& customer) {
  const std::string folder = std::to_string(customer.account_id) + "_" + std::to_string(customer.config_id);
  const std::optional<std::string> index = fetch_(folder + "/logs.index");
  if (!index) return "";  // nothing published yet
  uint64_t listed = 0;
  for (size_t at = 0; at < index->size();) {
    const size_t newline = index->find('\n', at);
    if (newline == std::string::npos) return folder + "/logs.index ends in a partial line";
    const std::string name = index->substr(at, newline - at);
    at = newline + 1;
    ++listed;
    if (name != log_file_name(customer.account_id, listed)) {
      return folder + "/logs.index line " + std::to_string(listed) + " is '" + name.substr(0, 64) + "': a gap";
    }
    const std::string object = folder + "/" + name;
    if (read_.contains(object)) continue;
    const std::optional<std::string> file = fetch_(object);
    if (!file) return object + " is listed in logs.index but not stored";
    Result<DecodedLogFile> decoded = read_log_file(*file, customer.private_key_pem);
    if (!decoded.ok()) return object + ": " + decoded.error().to_string();
    for (const AttackEvent& event : decoded->events) {
      if (event.account_id != customer.account_id) {
        return object + " holds event " + id_text(event.id) + " of account " + std::to_string(event.account_id) +
               ": a leak";
      }
      ++copies_[event.id];
    }
    read_.insert(object);
  }
  return "";
}

std::string DeliveryVerdict::summary() const {
  return "acknowledged=" + std::to_string(acknowledged) + " delivered=" + std::to_string(delivered) +
         " lost=" + std::to_string(lost) + " dup=" + std::to_string(duplicated) + " phantom=" + std::to_string(phantom) +
         (first_problem.empty() ? "" : " first problem: " + first_problem);
}

DeliveryVerdict judge_delivery(const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                               const std::map<EventId, uint64_t>& copies, const std::string& problem) {
  DeliveryVerdict verdict;
  verdict.first_problem = problem;
  auto note = [&](const std::string& what) {
    if (verdict.first_problem.empty()) verdict.first_problem = what;
  };
  for (const auto& [id, entry] : ledger) {
    auto found = copies.find(id);
    const uint64_t n = found == copies.end() ? 0 : found->second;
    if (entry.fate == proxy::EventFate::kAcknowledged) {
      ++verdict.acknowledged;
      if (n == 0) {
        ++verdict.lost;
        note("acknowledged event " + id_text(id) + " of account " + std::to_string(entry.account_id) +
             " never published");
      }
    }
    if (n > 0 && entry.fate == proxy::EventFate::kDropped) {
      ++verdict.phantom;
      note("event " + id_text(id) + " was never sent but is published");
    }
  }
  for (const auto& [id, n] : copies) {
    if (n > 1) {
      ++verdict.duplicated;
      note("event " + id_text(id) + " published " + std::to_string(n) + " times");
    }
    if (!ledger.contains(id)) {
      ++verdict.phantom;
      note("event " + id_text(id) + " is a phantom: no proxy sent it");
    }
  }
  verdict.delivered = copies.size();
  return verdict;
}

}  // namespace lj::lumberjack
