#pragma once
// CustomerPipeline: one customer's delivery on the worker that holds its assignment.
//   recover:  sync, read the checkpoint (creating the first one), and finish publishing the
//             last committed file if a predecessor died before it could.
//   collect:  read every PoP's Graceland from the working cursors, skip ids already
//             delivered; a PoP that fails is skipped for a while and never holds up the others.
//             A PoP that answers as another store than its cursor's (its disk was replaced)
//             is read again from that store's oldest record (Checkpoint, check_store).
//   roll:     when the roll policy says so, write the log file (CEF/W3C, zstd or zlib,
//             encrypted for the customer), upload it under this worker's staging name,
//             commit the checkpoint fenced by the assignment, then publish it.
// Any doubt (an error, a lost reply, a failed commit) sends the pipeline back to recover:
// the checkpoint is the only truth, so nothing half done is ever built upon.
// The pipeline stops for good when it is fenced (its assignment moved, or its session ended)
// or when stop() is called.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/io/object_store.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

// Where a pipeline is, for traces, coverage counts and fault injection in the simulator.
enum class PipelineStage { kRecovered, kUploaded, kCommitted, kPublished, kFenced, kCommitUnknown };
const char* pipeline_stage_name(PipelineStage stage);

struct PipelineObserver {
  virtual ~PipelineObserver() = default;
  virtual void on_stage(uint64_t account, PipelineStage stage, uint64_t seq) = 0;
  // An event already delivered (or pending) was read again: it reached two PoPs.
  virtual void on_duplicate_dropped(uint64_t /*account*/) {}
  // logs.index ended before file `seq`, which is committed (a stale writer): it was listed again.
  virtual void on_index_repaired(uint64_t /*account*/, uint64_t /*seq*/) {}
  // A PoP answered as another Graceland store than the cursor's: it is read from the start.
  virtual void on_store_replaced(uint64_t /*account*/, const std::string& /*pop*/) {}
};

struct PipelineOptions {
  Duration poll_interval = std::chrono::milliseconds(200);
  Duration pop_retry_after = std::chrono::seconds(2);
  uint32_t read_bytes = 1 << 20;
  Duration retry_backoff = std::chrono::milliseconds(500);  // after an error, before recovering
  Duration index_check_interval = std::chrono::seconds(5);  // while idle: logs.index lists every commit
  // Planted bugs for the checker's own test (props/): never set outside it.
  bool planted_no_dedup = false;
  bool planted_no_fencing = false;
  bool planted_commit_before_upload = false;  // commits the checkpoint, then uploads the file
};

// Everything a pipeline shares with its worker.
struct PipelineContext {
  Env env;
  CoordinatorSession& session;
  ObjectStore& store;
  ZkLayout layout;
  std::string worker_id;
  // The PoPs to read and their Graceland addresses, refreshed by the worker.
  const std::map<std::string, std::string>& pops;
  PipelineOptions options;
  PipelineObserver* observer = nullptr;
  std::function<void(std::string_view)> log = [](std::string_view) {};
  // Retention: run after a publish at most every retention_interval (the daemon passes
  // delivery's expire_published_files; empty: files never expire). It shortens logs.index
  // from the front; publish keeps the index starting where retention left it.
  std::function<Task<void>(const CustomerConfig&)> expire_old_files;
  Duration retention_interval = std::chrono::minutes(10);
};

class CustomerPipeline {
 public:
  CustomerPipeline(PipelineContext context, CustomerConfig config, int32_t assignment_version);
  ~CustomerPipeline();

  Task<void> run();
  void stop() { stopping_ = true; }
  bool finished() const { return finished_; }
  uint64_t account() const { return config_.account_id; }
  const CustomerConfig& config() const { return config_; }
  int32_t assignment_version() const { return assignment_version_; }
  uint64_t files_published() const { return files_published_; }
  uint64_t events_published() const { return events_published_; }

 private:
  enum class Outcome { kContinue, kRetry, kFenced };
  Task<Outcome> recover();
  Task<Outcome> publish(const CommittedFile& file);
  // Makes logs.index list every file through `seq` (it never shrinks it). `rewrote`: whether
  // the index ended before `seq`.
  Task<Outcome> list_through(uint64_t seq, bool* rewrote = nullptr);
  Task<void> repair_index_if_due();
  // Returns how many records it read (0: every reachable PoP is caught up).
  Task<size_t> collect();
  Task<Outcome> roll();
  bool roll_due();  // not const: asks a fault point
  Task<void> expire_if_due();
  Task<void> note(PipelineStage stage, uint64_t seq);
  std::string account_text() const { return std::to_string(config_.account_id); }

  PipelineContext context_;
  CustomerConfig config_;
  int32_t assignment_version_;
  bool stopping_ = false;
  bool finished_ = false;

  // The committed state, as last read or written, and its node version.
  Checkpoint committed_;
  int32_t checkpoint_version_ = -1;
  // The working state: committed_ plus what was collected since.
  std::map<std::string, PopCursor> pops_;
  DeliveredSet delivered_;
  std::vector<AttackEvent> pending_;
  uint64_t pending_bytes_ = 0;
  Duration first_pending_at_{0};

  std::map<std::string, std::unique_ptr<graceland::GracelandClient>> clients_;
  std::map<std::string, Duration> pop_down_until_;
  LogFileWriter writer_;
  Duration next_retention_at_{0};
  Duration next_index_check_at_{0};
  uint64_t files_published_ = 0;
  uint64_t events_published_ = 0;
};

// Object names of a customer's files in storage.
std::string published_name(const CustomerConfig& config, uint64_t seq);
std::string index_name(const CustomerConfig& config);
// logs.index for files first_seq..last_seq: one name per line, oldest first.
std::string index_contents(const CustomerConfig& config, uint64_t last_seq, uint64_t first_seq = 1);

}  // namespace lj::lumberjack
