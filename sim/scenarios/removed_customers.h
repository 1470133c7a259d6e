#pragma once
// RemovedCustomers: what the checker may excuse of a customer an operator removed. At the
// instant its node goes (seen through the ZooKeeper model), the customer's checkpoint says
// which of its events were committed: those must still be published - all but the last
// file's, which the stopped pipeline may not have published yet - and only the others may
// stay unpublished (the customer is gone; nobody delivers it any more).

#include <cstdint>
#include <map>

#include "prod/event/attack_event.h"
#include "prod/lumberjack/delivered_set.h"
#include "sim/sim_zookeeper.h"

namespace lj::sim {

class RemovedCustomers {
 public:
  explicit RemovedCustomers(SimZooKeeper& zookeeper);

  bool removed(uint64_t account) const { return at_removal_.contains(account); }
  // Whether an acknowledged event `id` of `account` may be missing from the published files.
  bool excuses(uint64_t account, const EventId& id) const;

 private:
  struct AtRemoval {
    lumberjack::DeliveredSet committed;  // every id the checkpoint had delivered
    lumberjack::DeliveredSet last_file;  // of those, its last file's
  };
  std::map<uint64_t, AtRemoval> at_removal_;
};

}  // namespace lj::sim
