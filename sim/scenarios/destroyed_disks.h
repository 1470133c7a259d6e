#pragma once
// DestroyedDisks: what the checker excuses when a PoP's disk is destroyed - a fault the design
// does not claim to survive (fault/FAULT_MODEL.md) - or when retention removes a segment of
// records not yet delivered (expired by contract; RetentionMonitor judges that it was really
// old enough) - and nothing more.
//
// Just before the disk goes, it reads every segment on it and notes each event whose position
// is at or past its customer's committed checkpoint position for that PoP: acknowledged to a
// proxy, perhaps, but not yet delivered, so it may be lost with the disk. A checkpoint position
// counts only in the store it was read from (the disk's store id, or an unknown one): one still
// in a store this PoP had before has delivered nothing of this disk's. An event the
// checkpoint had already passed was delivered: losing it later is a bug, not excused; so is
// losing any event that disk never held, and any event a surviving store still holds (it
// reached two PoPs: the copy that survived must be delivered) - forget_survivors() says which.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/graceland/segment_store.h"
#include "sim/sim_disk.h"
#include "sim/sim_zookeeper.h"

namespace lj::sim {

class DestroyedDisks {
 public:
  explicit DestroyedDisks(SimZooKeeper& zookeeper) : zookeeper_(zookeeper) {}

  // `disk` belongs to the Graceland of PoP `pop` and is about to be destroyed.
  void note(const std::string& pop, const SimDisk& disk);
  // Retention is about to remove the segment file `path` from the disk of PoP `pop`.
  void note_expired(const std::string& pop, const SimDisk& disk, const std::string& path);
  // Whether losing `id` is explained by a destroyed disk.
  bool explains(const EventId& id) const { return undelivered_.contains(id); }
  // No longer excuses the events that any of `surviving` (the PoPs' disks now) holds.
  void forget_survivors(const std::vector<const SimDisk*>& surviving);
  // Whether losing `id` is explained by retention.
  bool explains_expiry(const EventId& id) const { return expired_.contains(id); }
  size_t events() const { return undelivered_.size(); }

 private:
  // Notes in `into` each event of the segment file (`path`, `data`) at or past the committed
  // checkpoint position for `pop` in the store `store_id`.
  void note_segment(const std::string& pop, const std::string& path, const std::string& data,
                    uint64_t store_id, std::set<EventId>& into) const;
  // The committed position for `pop` in store `store_id` of the account `account`.
  graceland::Position committed_position(const std::string& pop, const std::string& account,
                                         uint64_t store_id) const;

  SimZooKeeper& zookeeper_;
  std::set<EventId> undelivered_;
  std::set<EventId> expired_;
};

}  // namespace lj::sim
