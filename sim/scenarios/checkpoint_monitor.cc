#include "sim/scenarios/checkpoint_monitor.h"

#include <cstdio>

#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/staging_name.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::sim {

namespace {

std::string hex(int64_t session) {
  char text[24];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(session));
  return text;
}

}  // namespace

CheckpointMonitor::CheckpointMonitor(SimZooKeeper& zookeeper) : zookeeper_(zookeeper) {
  zookeeper_.add_write_watcher([this](const SimZooKeeper::Write& write) { judge(write); });
}

void CheckpointMonitor::judge(const SimZooKeeper::Write& write) {
  const lumberjack::ZkLayout layout;
  const std::string prefix = layout.checkpoints() + "/";
  if (write.kind == SimZooKeeper::Write::Kind::kRemove || !write.path.starts_with(prefix)) return;
  const std::string account = write.path.substr(prefix.size());
  ++writes_judged_;
  // `lj ctl remove` is not a commit: with the customer's node it rewrites the checkpoint
  // unchanged (to move its version past every commit in flight), or creates an empty one.
  std::string& last = last_data_[account];
  const bool unchanged = write.kind == SimZooKeeper::Write::Kind::kSet && write.data == last;
  const bool empty = write.kind == SimZooKeeper::Write::Kind::kCreate &&
                     write.data == lumberjack::Checkpoint{}.encode();
  last = write.data;
  if ((unchanged || empty) && !zookeeper_.peek(layout.customer(account))) return;
  if (std::string why = not_the_owner(account, write.session); !why.empty()) {
    report(account, "written by " + worker_of(write.session) + " (session " + hex(write.session) +
                        "), " + why);
  }
  Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(write.data);
  if (!checkpoint.ok()) {
    report(account, "written undecodable: " + checkpoint.error().to_string());
    return;
  }
  uint64_t& highest = highest_next_seq_[account];
  if (checkpoint->next_seq < highest) {
    report(account, "moved backwards: next file " + std::to_string(checkpoint->next_seq) +
                        " after " + std::to_string(highest));
  }
  highest = std::max(highest, checkpoint->next_seq);
  if (write.kind == SimZooKeeper::Write::Kind::kSet && checkpoint->last_file) {
    // (A name without a version - an older release's - says nothing of what it was staged on.)
    const std::optional<lumberjack::StagingName> staged =
        lumberjack::parse_staging_name(checkpoint->last_file->staging_name);
    if (staged && staged->checkpoint_version != write.version - 1) {
      report(account, "committed over version " + std::to_string(write.version - 1) +
                          " naming file " + std::to_string(checkpoint->last_file->seq) +
                          " staged against version " + std::to_string(staged->checkpoint_version) +
                          ": a commit its writer's view never saw");
    }
  }
  if (checkpoint->last_file && !zookeeper_.peek(layout.customer(account))) {
    report(account, "committed file " + std::to_string(checkpoint->last_file->seq) +
                        " after the customer was removed: its events are published for a customer "
                        "that is gone");
  }
  if (uploaded_ && checkpoint->last_file && !uploaded_(checkpoint->last_file->staging_name)) {
    report(account, "committed naming file " + std::to_string(checkpoint->last_file->seq) + " as " +
                        checkpoint->last_file->staging_name + ", which was never uploaded");
  }
}

std::string CheckpointMonitor::not_the_owner(const std::string& account, int64_t session) const {
  const lumberjack::ZkLayout layout;
  const std::optional<NodeData> assignment = zookeeper_.peek(layout.assignment(account));
  if (!assignment) return "while the customer is assigned to nobody";
  const std::optional<NodeData> worker = zookeeper_.peek(layout.worker(assignment->data));
  if (!worker) return "while it is assigned to " + assignment->data + ", which is not registered";
  if (worker->ephemeral_owner != session) return "while it is assigned to " + assignment->data;
  return "";
}

std::string CheckpointMonitor::worker_of(int64_t session) const {
  const lumberjack::ZkLayout layout;
  for (const std::string& id : zookeeper_.peek_children(layout.workers())) {
    const std::optional<NodeData> worker = zookeeper_.peek(layout.worker(id));
    if (worker && worker->ephemeral_owner == session) return id;
  }
  return "an unregistered session";
}

void CheckpointMonitor::report(const std::string& account, const std::string& what) {
  if (!problem_.empty()) return;
  const Simulation& simulation = zookeeper_.simulation();
  problem_ = "checkpoint monitor: at " + std::to_string(simulation.now_ns() / 1'000'000) +
             " ms the checkpoint of " + account + " was " + what;
}

}  // namespace lj::sim
