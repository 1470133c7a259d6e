#pragma once
// OnePipelineWorld: one CustomerPipeline (customer 1001, unencrypted CEF, files of two events
// unless told otherwise)
// on a worker node, against simulated PoPs, the ZooKeeper model and the object store - for
// tests that put the pipeline in one precise situation (a PoP's disk replaced, a staged file
// lost) rather than draw one from a seed. The worker's process runs the pipeline again each
// time the node starts, as a restarted daemon would.
//
// REQUIRES: call finish() before destruction (it halts the nodes while the objects their
// processes point at still live).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/simulation.h"

namespace lj::sim {

class OnePipelineWorld {
 public:
  static constexpr uint64_t kAccount = 1001;
  static constexpr uint64_t kProxy = 7;

  OnePipelineWorld(uint64_t seed, int pops, lumberjack::PipelineObserver& observer,
                   lumberjack::RollPolicy roll = {.max_events = 2, .max_age_ms = 100});
  ~OnePipelineWorld();

  // Event records of proxy kProxy, sequences first..first+count-1.
  static std::vector<std::string> records(uint64_t first_sequence, uint64_t count);
  // ... of these sequences.
  static std::vector<std::string> records_of(const std::vector<uint64_t>& sequences);
  // Sends a batch to PoP `pop` until it is acknowledged (within 10 simulated s).
  bool send(size_t pop, uint64_t batch_id, std::vector<std::string> batch);
  std::optional<lumberjack::Checkpoint> checkpoint() const;
  // The running pipeline's counters (nullopt while the worker is down).
  std::optional<lumberjack::PipelineCounters> counters() const {
    return pipeline_ ? std::optional(pipeline_->counters()) : std::nullopt;
  }
  // The running pipeline's lag (lumberjack_customer_lag_seconds; nullopt while the worker is down).
  std::optional<Duration> lag() const {
    return pipeline_ ? std::optional(pipeline_->lag()) : std::nullopt;
  }
  // Removes or writes an object as an operator (or retention) would: through a store client,
  // to completion.
  bool remove_object(const std::string& name);
  bool put_object(const std::string& name, const std::string& contents);
  // The worker's directory now says PoP `pop` is at `address` (a registration rewritten).
  void move_pop(size_t pop, const std::string& address) { directory_[pops.names[pop]] = address; }
  // Runs until the checkpoint holds sequences 1..last of kProxy (within 30 simulated s).
  bool delivered_through(uint64_t last_sequence);
  void finish();

  Simulation simulation;
  SimZooKeeper zookeeper;
  SimObjectStore storage;
  PopNodes pops;
  SimNode* worker = nullptr;
  lumberjack::CustomerConfig config;
  lumberjack::ZkLayout layout;
  // The worker's write-budget floor under the roll age (PipelineContext::min_roll_age).
  std::shared_ptr<Duration> min_roll_age = std::make_shared<Duration>(0);

 private:
  // Runs the store call spawned on the proxy node until it answers; `result` must outlive it.
  bool finish_store_call(const std::shared_ptr<std::optional<Status>>& result);
  std::map<std::string, std::string> directory_;
  SimNode* proxy_ = nullptr;
  const lumberjack::CustomerPipeline* pipeline_ = nullptr;  // while the worker runs one
};

}  // namespace lj::sim
