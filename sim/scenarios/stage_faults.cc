#include "sim/scenarios/stage_faults.h"

#include "sim/sim_node.h"

namespace lj::sim {

void StageFaults::on_stage(uint64_t account, lumberjack::PipelineStage stage, uint64_t seq) {
  using lumberjack::PipelineStage;
  ++counts_[std::string("stage ") + lumberjack::pipeline_stage_name(stage)];
  const std::string file = std::to_string(account) + "/" + std::to_string(seq);
  Last& last = last_[account];
  if (stage == PipelineStage::kFenced && last.stage == PipelineStage::kUploaded &&
      last.seq == seq) {
    ++counts_["state zombie tried to commit"];  // its commit was refused by the fence
  }
  simulation_.mark_instant(node_, "file",
                           std::string(lumberjack::pipeline_stage_name(stage)) + " " + file);
  if (stage == PipelineStage::kCommitted && last.stage == PipelineStage::kUploaded &&
      last.seq == seq) {
    simulation_.mark_span(node_, "file", "upload-to-commit " + file, last.at_ns,
                          simulation_.now_ns());
  }
  if (stage == PipelineStage::kPublished && last.stage == PipelineStage::kCommitted &&
      last.seq == seq) {
    simulation_.mark_span(node_, "file", "commit-to-publish " + file, last.at_ns,
                          simulation_.now_ns());
  }
  last = Last{stage, seq, simulation_.now_ns()};

  const bool crash_point = stage == PipelineStage::kUploaded || stage == PipelineStage::kCommitted;
  if (!crash_point || crash_probability_ <= 0 || !chance(simulation_.random(), crash_probability_))
    return;
  const std::string what = std::string("crash after ") + lumberjack::pipeline_stage_name(stage);
  ++counts_["fault " + what];
  Simulation& simulation = simulation_;
  const NodeId node = node_;
  simulation.schedule_at(simulation.now_ns(), kNoNode, EventKind::kFault,
                         [this, &simulation, node, what] {
                           simulation.mark_instant(node, "fault", what);
                           on_crash();
                           simulation.node(node).crash();
                           simulation.schedule_after(std::chrono::seconds(2), kNoNode,
                                                     EventKind::kFault, [&simulation, node] {
                                                       if (!simulation.node(node).alive())
                                                         simulation.node(node).start();
                                                     });
                         });
}

void StageFaults::on_pipeline_started(uint64_t account) {
  const uint64_t incarnation = simulation_.node(node_).incarnation();
  if (incarnation != live_incarnation_) {  // the pipelines counted died with an earlier one
    live_pipelines_.clear();
    started_ns_.clear();
    live_incarnation_ = incarnation;
  }
  started_ns_[account] = simulation_.now_ns();
  if (++live_pipelines_[account] > 1 && problem_.empty()) {
    problem_ = "pipeline monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
               " ms: " + simulation_.node(node_).name() + " runs " +
               std::to_string(live_pipelines_[account]) + " pipelines for customer " +
               std::to_string(account) + " at once";
    simulation_.trace(node_, "MONITOR: " + problem_);
  }
}

void StageFaults::on_dedupe_bounded(uint64_t account, const lumberjack::BoundReport& report) {
  if (!problem_.empty()) return;
  problem_ = "dedupe monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
             " ms: " + simulation_.node(node_).name() + " bounded customer " +
             std::to_string(account) +
             "'s delivered set in an honest world: " + report.lines.front();
  simulation_.trace(node_, "MONITOR: " + problem_);
}

void StageFaults::on_pipeline_finished(uint64_t account) {
  if (simulation_.node(node_).incarnation() == live_incarnation_) --live_pipelines_[account];
}

std::optional<int64_t> StageFaults::live_pipeline_started_ns(uint64_t account) const {
  if (node_ == kNoNode || simulation_.node(node_).incarnation() != live_incarnation_)
    return std::nullopt;
  auto live = live_pipelines_.find(account);
  if (live == live_pipelines_.end() || live->second != 1) return std::nullopt;
  return started_ns_.at(account);
}

void StageFaults::on_crash() {
  for (const auto& [account, last] : last_) {
    if (last.stage == lumberjack::PipelineStage::kUploaded)
      ++counts_["state worker died between upload and commit"];
  }
  last_.clear();
}

}  // namespace lj::sim
