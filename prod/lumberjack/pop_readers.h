#pragma once
// PopReaders: one pipeline's reads of its PoPs, each PoP's in a task of its own, so a PoP that
// is slow or silent (paused, powered off, behind a black-holed link) delays only the events it
// holds. The pipeline starts a read of every idle PoP, waits a short while for the reads it
// started, and goes on with whatever has arrived; a straggler's batch is taken in a later round.
//
// The reads travel through the worker's PopReadHub: one connection per PoP for all its
// pipelines, many customers' reads in one round trip.
//
// Invariants:
//  - At most one read per PoP runs at a time; a PoP's next read starts only after its last
//    result was taken.
//  - Every read ends within the hub's call timeout (GracelandClient): a running read is never
//    abandoned, and the hub answers each exactly once.
//  - A result carries the position and generation it was read from: the pipeline takes it only
//    if its cursor is still there (a recovery in between makes it stale, and it is dropped).
//  - The read tasks own everything they touch (the shared state below), never the pipeline:
//    a pipeline may end while a read runs.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "prod/graceland/graceland_client.h"
#include "prod/io/env.h"
#include "prod/io/notifier.h"
#include "prod/lumberjack/pop_read_hub.h"

namespace lj::lumberjack {

struct PopReadResult {
  graceland::Position from;
  uint64_t generation = 0;
  Result<graceland::ReadBatch> batch = Error(ErrorCode::kUnavailable, "not read");
};

class PopReaders {
 public:
  PopReaders(const Env& env, std::shared_ptr<PopReadHub> hub);
  ~PopReaders();
  PopReaders(const PopReaders&) = delete;
  PopReaders& operator=(const PopReaders&) = delete;

  // Whether `pop` has a read running or a result not yet taken.
  bool busy(const std::string& pop) const;
  // Starts reading `account` at `pop` from `from`. REQUIRES: !busy(pop).
  void start(const std::string& pop, const std::string& address, const std::string& account,
             graceland::Position from, uint32_t max_bytes, uint64_t generation);
  // Waits until every read started since the last wait has finished, or `bound` has passed.
  Task<void> wait_for_started(Duration bound);
  // The finished read of `pop`, if any; taking it lets the PoP be read again.
  std::optional<PopReadResult> take(const std::string& pop);

 private:
  struct Shared;

  Env env_;
  std::shared_ptr<PopReadHub> hub_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace lj::lumberjack
