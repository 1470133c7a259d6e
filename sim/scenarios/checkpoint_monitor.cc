#include "sim/scenarios/checkpoint_monitor.h"

#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::sim {

void CheckpointMonitor::observe(uint64_t account) {
  const std::optional<NodeData> node =
      zookeeper_.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
  if (!node) return;
  Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node->data);
  if (!checkpoint.ok()) {
    if (problem_.empty())
      problem_ = "checkpoint of " + std::to_string(account) + ": " + checkpoint.error().to_string();
    return;
  }
  uint64_t& highest = highest_next_seq_[account];
  if (checkpoint->next_seq < highest && problem_.empty()) {
    problem_ = "checkpoint of " + std::to_string(account) + " moved backwards: next file " +
               std::to_string(checkpoint->next_seq) + " after " + std::to_string(highest);
  }
  highest = std::max(highest, checkpoint->next_seq);
  if (uploaded_ && checkpoint->last_file && !uploaded_(checkpoint->last_file->staging_name) && problem_.empty()) {
    problem_ = "checkpoint of " + std::to_string(account) + " commits file " + std::to_string(checkpoint->last_file->seq) +
               " as " + checkpoint->last_file->staging_name + ", which was never uploaded";
  }
}

}  // namespace lj::sim
