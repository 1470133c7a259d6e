#pragma once
// The proxies' ledger: what each sent event became. Later checks compare it with what
// customers received. An event is
//   acknowledged   a Graceland said it is durable: it must be delivered exactly once;
//   indeterminate  sent, and no answer came: it may be delivered at most once;
//   dropped        never sent (the proxy's buffer was full): it must not be delivered.
// The ledger is the checker's, not the proxy's: it survives proxy crashes.

#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"

namespace lj::proxy {

enum class EventFate : uint8_t { kIndeterminate = 1, kAcknowledged = 2, kDropped = 3 };

class Ledger {
 public:
  virtual ~Ledger() = default;
  // `record`: the event as sent (its wire record). The same id sent again (a retry) carries the
  // same record; another record means an id given to two events.
  virtual void sent(const EventId& id, uint64_t account_id, std::string_view record) = 0;
  virtual void acknowledged(const EventId& id) = 0;
  virtual void dropped(const EventId& id, uint64_t account_id) = 0;
};

// Kept in memory: the simulator's ledger, and the tests'.
class MemoryLedger final : public Ledger {
 public:
  struct Entry {
    uint64_t account_id = 0;
    EventFate fate = EventFate::kIndeterminate;
    // contents_digest() of the event sent (event_digest.h), 0 if unknown (a ledger file has
    // none). The audit compares every published event's contents with it.
    uint64_t digest = 0;
    uint64_t record_hash = 0;  // of the record as first sent
  };
  void sent(const EventId& id, uint64_t account_id, std::string_view record) override;
  void acknowledged(const EventId& id) override {
    entries_.at(id).fate = EventFate::kAcknowledged;
    if (ack_observer_) ack_observer_(id);
  }
  // Told of each acknowledgement as the proxy hears it (a checker's step monitor).
  void set_ack_observer(std::function<void(const EventId&)> observer) {
    ack_observer_ = std::move(observer);
  }
  void dropped(const EventId& id, uint64_t account_id) override {
    entries_[id] = Entry{account_id, EventFate::kDropped};
  }
  const std::map<EventId, Entry>& entries() const { return entries_; }
  // Ids sent with two different events (a restarted proxy numbering from an old id).
  const std::vector<EventId>& reused() const { return reused_; }
  size_t count(EventFate fate) const {
    size_t n = 0;
    for (const auto& [id, entry] : entries_) n += entry.fate == fate;
    return n;
  }

 private:
  std::map<EventId, Entry> entries_;
  std::vector<EventId> reused_;
  std::function<void(const EventId&)> ack_observer_;
};

}  // namespace lj::proxy
