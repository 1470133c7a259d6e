#include "prod/proxy/ledger.h"

#include "prod/event/event_record.h"
#include "prod/io/distributions.h"
#include "prod/proxy/event_digest.h"

namespace lj::proxy {

void MemoryLedger::sent(const EventId& id, uint64_t account_id, std::string_view record) {
  const uint64_t record_hash = hash_string(record);
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    if (it->second.record_hash != record_hash || it->second.account_id != account_id)
      reused_.push_back(id);
    return;
  }
  // The checker's own reading of what was sent: every field, digested apart from any encoder
  // downstream. A record the checker cannot read is a broken sender: its digest stays 0 and the
  // audit says so for any copy published.
  Result<DecodedEventRecord> decoded = decode_event_record(record);
  const uint64_t digest = decoded.ok() ? contents_digest(decoded->event) : 0;
  entries_.emplace(id, Entry{account_id, EventFate::kIndeterminate, digest, record_hash});
}

}  // namespace lj::proxy
