#include "sim/scenarios/removed_customers.h"

#include <charconv>
#include <string>

#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::sim {

RemovedCustomers::RemovedCustomers(SimZooKeeper& zookeeper) {
  zookeeper.add_write_watcher([this, &zookeeper](const SimZooKeeper::Write& write) {
    const lumberjack::ZkLayout layout;
    const std::string prefix = layout.customers() + "/";
    if (write.kind != SimZooKeeper::Write::Kind::kRemove || !write.path.starts_with(prefix)) return;
    const std::string account_text = write.path.substr(prefix.size());
    uint64_t account = 0;
    const auto [end, ec] =
        std::from_chars(account_text.data(), account_text.data() + account_text.size(), account);
    if (ec != std::errc() || end != account_text.data() + account_text.size()) return;
    AtRemoval& at = at_removal_[account];
    const std::optional<NodeData> node = zookeeper.peek(layout.checkpoint(account_text));
    if (!node) return;  // nothing committed: nothing is owed
    Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node->data);
    if (!checkpoint.ok()) return;  // the checkpoint monitor reports an undecodable checkpoint
    at.committed = checkpoint->delivered;
    if (checkpoint->last_file && checkpoint->last_file->source)
      at.last_file = checkpoint->last_file->source->events;
  });
}

bool RemovedCustomers::excuses(uint64_t account, const EventId& id) const {
  auto at = at_removal_.find(account);
  if (at == at_removal_.end()) return false;
  return !at->second.committed.contains(id) || at->second.last_file.contains(id);
}

}  // namespace lj::sim
