#include "prod/proxy/ledger_check.h"

#include "prod/event/event_record.h"
#include "prod/graceland/graceland_client.h"

namespace lj::proxy {

namespace {

Task<Status> read_one(const Env& env, const std::string& address, StoredEvents& stored) {
  auto client = co_await graceland::GracelandClient::connect(env, address, "checker");
  if (!client.ok()) co_return Error(client.code(), address + ": " + client.error().message());
  auto accounts = co_await (*client)->list();
  if (!accounts.ok()) co_return accounts.status();
  for (const graceland::AccountExtent& extent : accounts->accounts) {
    graceland::Position at;
    for (;;) {
      auto batch = co_await (*client)->read(extent.account, at, 1 << 20);
      if (!batch.ok()) co_return batch.status();
      if (batch->records.empty()) break;
      for (const std::string& record : batch->records) {
        auto decoded = decode_event_record(record);
        if (!decoded.ok()) {
          stored.problems.push_back("corrupt record at " + address + ": " +
                                    decoded.error().to_string());
          continue;
        }
        if (std::to_string(decoded->event.account_id) != extent.account) {
          stored.problems.push_back("event " + id_text(decoded->event.id) + " of account " +
                                    std::to_string(decoded->event.account_id) + " stored under " +
                                    extent.account + " at " + address);
        }
        ++stored.copies[decoded->event.id];
      }
      at = batch->next;
    }
  }
  co_return Status();
}

}  // namespace

Task<Result<StoredEvents>> read_all_events(const Env& env,
                                           const std::vector<std::string>& addresses) {
  StoredEvents stored;
  for (const std::string& address : addresses) {
    if (Status s = co_await read_one(env, address, stored); !s.ok()) co_return s.error();
  }
  co_return stored;
}

IngestVerdict judge(const std::map<EventId, MemoryLedger::Entry>& ledger,
                    const StoredEvents& stored) {
  IngestVerdict verdict;
  if (!stored.problems.empty()) verdict.first_problem = stored.problems.front();
  verdict.stored = stored.copies.size();
  for (const auto& [id, copies] : stored.copies) {
    verdict.duplicates += static_cast<uint64_t>(copies - 1);
    auto entry = ledger.find(id);
    if (entry == ledger.end() || entry->second.fate == EventFate::kDropped) {
      if (verdict.phantom++ == 0 && verdict.first_problem.empty()) {
        verdict.first_problem = "phantom: event " + id_text(id) + " is stored but was never sent";
      }
    }
  }
  for (const auto& [id, entry] : ledger) {
    if (entry.fate != EventFate::kAcknowledged) continue;
    ++verdict.acknowledged;
    if (!stored.copies.contains(id) && verdict.lost++ == 0 && verdict.first_problem.empty()) {
      verdict.first_problem = "lost: event " + id_text(id) + " was acknowledged but no PoP has it";
    }
  }
  return verdict;
}

std::string IngestVerdict::summary() const {
  return "acknowledged=" + std::to_string(acknowledged) + " stored=" + std::to_string(stored) +
         " lost=" + std::to_string(lost) + " phantom=" + std::to_string(phantom) +
         " duplicates-across-pops=" + std::to_string(duplicates) +
         (first_problem.empty() ? "" : " first-problem=\"" + first_problem + "\"");
}

}  // namespace lj::proxy
