// Power loss catches a writer that acknowledges before fsync, within a few seeds, and never
// catches the same writer done right. This is the simulator proving it can see the bug class
// that matters most to us: "acknowledged, then lost".
#include <gtest/gtest.h>

#include <cstring>

#include "fault/fault_schedule.h"
#include "prod/io/distributions.h"
#include "sim/sim_node.h"

namespace lj {
namespace {

constexpr size_t kRecordBytes = 16;  // [u64 sequence][u64 check = mix(sequence)]
constexpr const char* kJournal = "journal";

uint64_t check_of(uint64_t sequence) {
  return mix_seed(0x5eed, sequence);
}

// Recovery: the longest prefix of whole, valid, consecutive records. A torn tail stops it.
uint64_t recover_last_sequence(FileSystem& files) {
  Result<std::string> contents = read_file(files, kJournal);
  if (!contents.ok()) return 0;
  uint64_t last = 0;
  for (size_t at = 0; at + kRecordBytes <= contents->size(); at += kRecordBytes) {
    uint64_t sequence = 0, check = 0;
    std::memcpy(&sequence, contents->data() + at, 8);
    std::memcpy(&check, contents->data() + at + 8, 8);
    if (sequence != last + 1 || check != check_of(sequence)) break;
    last = sequence;
  }
  return last;
}

struct Ledger {
  uint64_t highest_acked = 0;  // what the writer promised its clients; survives crashes
  std::string violation;
};

// A toy journal writer. `ack_before_sync` is the planted bug.
Task<void> write_journal(Env env, Ledger& ledger, bool ack_before_sync) {
  uint64_t next = recover_last_sequence(env.files) + 1;
  if (next - 1 < ledger.highest_acked && ledger.violation.empty()) {
    ledger.violation = "recovered up to " + std::to_string(next - 1) + " but " +
                       std::to_string(ledger.highest_acked) + " was acknowledged";
  }
  // Rewrite the valid prefix so a torn tail never sits before new records.
  std::string prefix;
  for (uint64_t s = 1; s < next; ++s) {
    const uint64_t check = check_of(s);
    prefix.append(reinterpret_cast<const char*>(&s), 8)
        .append(reinterpret_cast<const char*>(&check), 8);
  }
  if (!(co_await write_file_atomically(env.files, kJournal, std::as_bytes(std::span(prefix)))).ok())
    co_return;
  Result<std::unique_ptr<File>> file = env.files.open(kJournal, OpenMode::kExisting);
  if (!file.ok()) co_return;
  for (;; ++next) {
    char record[kRecordBytes];
    const uint64_t check = check_of(next);
    std::memcpy(record, &next, 8);
    std::memcpy(record + 8, &check, 8);
    if (!(*file)->append(std::as_bytes(std::span(record))).ok()) co_return;
    if (ack_before_sync) ledger.highest_acked = next;
    if (!(co_await (*file)->sync()).ok()) co_return;
    ledger.highest_acked = next;
    co_await env.clock.sleep_for(Duration(uniform_between(env.random, 100'000, 2'000'000)));
  }
}

// Runs the writer under power losses; returns the first durability violation, if any.
std::string run_with_power_losses(uint64_t seed, bool ack_before_sync) {
  sim::Simulation simulation(seed);
  Ledger ledger;
  sim::SimNode& node = simulation.add_node(
      "writer", [&](sim::SimNode& n) { n.spawn(write_journal(n.env(), ledger, ack_before_sync)); });
  node.start();
  fault::FaultModel model;
  model.crashable = {node.id()};
  model.crash_weight = 1;
  model.partition_weight = model.reset_weight = model.delay_weight = model.drift_weight = 0;
  model.mean_gap_ns = 300'000'000;
  model.max_duration_ns = 100'000'000;
  const fault::FaultTargets targets;
  fault::apply_schedule(
      simulation, fault::draw_schedule(simulation.random(), model, 0, 5'000'000'000), targets);
  simulation.run_until(5'000'000'000);
  fault::heal_everything(simulation, targets);
  simulation.run_for(1s);
  node.crash();  // one last power loss, then recovery must hold every acknowledged record
  node.start();
  simulation.run_for(10ms);
  return ledger.violation;
}

TEST(PowerLoss, AckBeforeFsyncIsCaughtWithinAFewSeeds) {
  int caught = 0;
  uint64_t first_seed = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    if (!run_with_power_losses(seed, /*ack_before_sync=*/true).empty()) {
      if (caught++ == 0) first_seed = seed;
    }
  }
  EXPECT_GE(caught, 1) << "the planted bug went unnoticed in 10 seeds";
  RecordProperty("first_catching_seed", static_cast<int>(first_seed));
}

TEST(PowerLoss, AckAfterFsyncNeverLosesAcknowledgedRecords) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const std::string violation = run_with_power_losses(seed, /*ack_before_sync=*/false);
    ASSERT_TRUE(violation.empty()) << "seed " << seed << ": " << violation;
  }
}

}  // namespace
}  // namespace lj
