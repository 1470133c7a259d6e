#pragma once
// StageFaults: one Lumberjack node's pipeline observer in the delivery scenario.
// It watches the Lumberjack node's pipelines: counts the stages they reach and the interesting
// states (a zombie's commit fenced, a death between upload and commit, an event read from two
// PoPs), marks each file's upload, commit and publish on the node's timeline track, and while
// `crash_probability` is above zero crashes the node right after an upload (before its
// commit) or right after a commit (before its publish).
// It is also a monitor: at most one live pipeline per customer on its node (in one incarnation
// of it); two side by side would stage, commit and publish the same file numbers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "prod/lumberjack/customer_pipeline.h"
#include "sim/simulation.h"

namespace lj::sim {

class StageFaults final : public lumberjack::PipelineObserver {
 public:
  StageFaults(Simulation& simulation, std::map<std::string, uint64_t>& counts,
              const double& crash_probability)
      : simulation_(simulation), counts_(counts), crash_probability_(crash_probability) {}
  void attach(NodeId node) { node_ = node; }

  void on_stage(uint64_t account, lumberjack::PipelineStage stage, uint64_t seq) override;

  void on_duplicate_dropped(uint64_t) override { ++counts_["state an event reached two PoPs"]; }
  void on_index_repaired(uint64_t, uint64_t) override {
    ++counts_["state logs.index listed again after a stale write"];
  }
  void on_rolls_overlapped(uint64_t) override {
    ++counts_["state a file was written while the one before it committed"];
  }
  void on_store_replaced(uint64_t, const std::string&) override {
    ++counts_["state a PoP read again from the start: its store was replaced"];
  }

  // An honest world never reaches the delivered set's bounds: doing so risks loss or repeats.
  void on_dedupe_bounded(uint64_t account, const lumberjack::BoundReport& report) override;
  void on_pipeline_started(uint64_t account) override;
  void on_pipeline_finished(uint64_t account) override;
  void on_publish_conflict(uint64_t, uint64_t) override {
    ++counts_["alarm a published name held other contents"];
  }
  void on_file_rebuilt(uint64_t, uint64_t, bool ok) override {
    ++counts_[ok ? "state a lost committed file was written again"
                 : "alarm a lost committed file could not be rebuilt"];
  }

  // The node loses power now: any pipeline between its upload and its commit dies there.
  // Where the pipelines' pushers report (the world's PushedCustomers); null: nowhere.
  void forward_pushes_to(lumberjack::PushObserver* pushes) { pushes_ = pushes; }
  void on_pushed(uint64_t account, uint64_t seq) override {
    if (pushes_ != nullptr) pushes_->on_pushed(account, seq);
  }
  void on_push_missed(uint64_t account, uint64_t seq) override {
    if (pushes_ != nullptr) pushes_->on_push_missed(account, seq);
  }
  void on_crash();
  // The first violation this monitor saw, or "".
  const std::string& problem() const { return problem_; }
  // When the one pipeline for `account` running now on this node (in its live incarnation)
  // began (true time), or nullopt if none runs.
  std::optional<int64_t> live_pipeline_started_ns(uint64_t account) const;

 private:
  struct Last {
    lumberjack::PipelineStage stage = lumberjack::PipelineStage::kRecovered;
    uint64_t seq = 0;
    int64_t at_ns = 0;
  };
  Simulation& simulation_;
  std::map<std::string, uint64_t>& counts_;
  const double& crash_probability_;
  lumberjack::PushObserver* pushes_ = nullptr;
  NodeId node_ = kNoNode;
  std::map<uint64_t, Last> last_;  // per account, this incarnation
  // Live pipelines per account, counted in the node incarnation they started in.
  uint64_t live_incarnation_ = 0;
  std::map<uint64_t, int> live_pipelines_;
  std::map<uint64_t, int64_t>
      started_ns_;  // the latest pipeline start per account, same incarnation
  std::string problem_;
};

}  // namespace lj::sim
