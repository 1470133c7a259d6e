#include "prod/audit/published_audit.h"

#include <algorithm>
#include <memory>

#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/private_key_cache.h"
#include "prod/lumberjack/published_layout.h"
#include "prod/proxy/event_digest.h"

namespace lj::audit {

PublishedAudit::PublishedAudit(Fetch fetch, std::vector<AuditedCustomer> customers,
                               IndexStart start, Decode decode)
    : fetch_(std::move(fetch)),
      decode_(std::move(decode)),
      customers_(std::move(customers)),
      start_(start) {
  if (!decode_) {
    decode_ = [keys = std::make_shared<PrivateKeyCache>()](const std::string&,
                                                           std::string_view contents,
                                                           const std::string& private_key_pem) {
      return keys->read(contents, private_key_pem);
    };
  }
}

std::string PublishedAudit::refresh() {
  for (const AuditedCustomer& customer : customers_) {
    if (std::string problem = refresh_customer(customer); !problem.empty()) return problem;
  }
  return "";
}

std::string PublishedAudit::refresh_account(uint64_t account_id) {
  for (const AuditedCustomer& customer : customers_) {
    if (customer.account_id != account_id) continue;
    if (std::string problem = refresh_customer(customer); !problem.empty()) return problem;
  }
  return "";
}

std::optional<uint64_t> PublishedAudit::first_listed(const AuditedCustomer& customer,
                                                     const std::string& folder) {
  const std::optional<std::string> index = fetch_(lumberjack::index_name(folder));
  if (!index) return std::nullopt;
  const std::optional<LogFileName> name = parse_log_file_name(index->substr(0, index->find('\n')));
  if (!name || name->account_id != customer.account_id) return std::nullopt;
  return name->seq;
}

bool PublishedAudit::expired(const AuditedCustomer& customer, const std::string& folder,
                             uint64_t seq) {
  const std::optional<uint64_t> first_now = first_listed(customer, folder);
  if (first_now && *first_now > seq) return true;
  // Or its mark says so: a fenced publisher may have written back an index that lists files
  // retention has since removed (CustomerPipeline::repair_index_if_due; the next run delists them).
  const std::optional<std::string> mark = fetch_(lumberjack::expired_mark_name(folder));
  const std::optional<uint64_t> through =
      mark ? lumberjack::parse_expired_mark(*mark) : std::nullopt;
  return through && *through >= seq;
}

std::string PublishedAudit::refresh_customer(const AuditedCustomer& customer) {
  const std::string folder = lumberjack::folder_name(customer.account_id, customer.config_id);
  const std::optional<std::string> index = fetch_(lumberjack::index_name(folder));
  if (!index) return "";  // nothing published yet
  // Strict: the index starts at file 1. After retention: at whichever file it starts.
  uint64_t expected = 1;
  if (start_ == IndexStart::kAfterRetention && !index->empty()) {
    const std::optional<uint64_t> first = first_listed(customer, folder);
    if (!first)
      return folder + "/logs.index starts with '" +
             index->substr(0, std::min<size_t>(64, index->find('\n'))) + "'";
    expected = *first;
    if (expected > 1) accounts_after_retention_.insert(customer.account_id);
  }
  for (size_t at = 0; at < index->size(); ++expected) {
    const size_t newline = index->find('\n', at);
    if (newline == std::string::npos) return folder + "/logs.index ends in a partial line";
    const std::string name = index->substr(at, newline - at);
    at = newline + 1;
    if (name != log_file_name(customer.account_id, expected)) {
      return folder + "/logs.index lists '" + name.substr(0, 64) + "' where file " +
             std::to_string(expected) + " belongs: a gap" +
             (expected == 1 ? " (if retention removed older files: --after-retention)" : "");
    }
    const std::string object = lumberjack::published_name(folder, customer.account_id, expected);
    if (read_.contains(object)) continue;
    const std::optional<std::string> file = fetch_(object);
    if (!file) {
      // Retention may have run between reading the index and this file: it rewrites the index
      // first, so a file it removed is no longer listed.
      if (start_ == IndexStart::kAfterRetention && expired(customer, folder, expected)) {
        accounts_after_retention_.insert(customer.account_id);
        continue;
      }
      return object + " is listed in logs.index but not stored";
    }
    Result<DecodedLogFile> decoded = decode_(object, *file, customer.private_key_pem);
    if (!decoded.ok()) return object + ": " + decoded.error().to_string();
    for (const AttackEvent& event : decoded->events) {
      if (event.account_id != customer.account_id) {
        return object + " holds event " + id_text(event.id) + " of account " +
               std::to_string(event.account_id) + ": a leak";
      }
      ++copies_[event.id];
      contents_.try_emplace(event.id, Contents{customer.account_id, proxy::contents_digest(event)});
    }
    read_.insert(object);
  }
  return "";
}

std::string DeliveryVerdict::summary() const {
  return "acknowledged=" + std::to_string(acknowledged) +
         " delivered=" + std::to_string(delivered) + " lost=" + std::to_string(lost) +
         " dup=" + std::to_string(duplicated) + " phantom=" + std::to_string(phantom) +
         (expired > 0 ? " expired=" + std::to_string(expired) : "") +
         (altered > 0 ? " altered=" + std::to_string(altered) : "") +
         (first_problem.empty() ? "" : " first problem: " + first_problem);
}

DeliveryVerdict judge_delivery(const std::map<EventId, proxy::MemoryLedger::Entry>& ledger,
                               const std::map<EventId, uint64_t>& copies,
                               const std::string& problem,
                               const std::set<uint64_t>& accounts_after_retention,
                               const std::map<EventId, PublishedAudit::Contents>* contents) {
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
      if (n == 0 && accounts_after_retention.contains(entry.account_id)) {
        ++verdict.expired;
      } else if (n == 0) {
        ++verdict.lost;
        note("acknowledged event " + id_text(id) + " of account " +
             std::to_string(entry.account_id) + " never published");
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
  for (const auto& [id, published] :
       contents ? *contents : std::map<EventId, PublishedAudit::Contents>{}) {
    auto sent = ledger.find(id);
    if (sent == ledger.end()) continue;  // a phantom, counted above
    if (sent->second.account_id != published.account_id) {
      ++verdict.altered;
      note("event " + id_text(id) + " of account " + std::to_string(sent->second.account_id) +
           " (its proxy's ledger) is published for account " +
           std::to_string(published.account_id));
    } else if (sent->second.digest != 0 && sent->second.digest != published.digest) {
      ++verdict.altered;
      note("event " + id_text(id) + " of account " + std::to_string(published.account_id) +
           " is published with contents other than its proxy sent");
    }
  }
  verdict.delivered = copies.size();
  return verdict;
}

}  // namespace lj::audit
