#pragma once
// Code-level fault points, after FoundationDB's BUGGIFY: a production code path asks whether
// to take a rare but legal turn now - a delay before a commit, a short read, an early roll, a
// spurious retry - so that paths a real run takes once a year are taken in every simulated
// sweep.
//
// Contract:
//  - The real runtimes supply no FaultPoints (Env::fault_points is null): buggify() is always
//    false there and costs one pointer test.
//  - The simulator's switchboard (fault/buggify.h) enables each named point in a random
//    quarter of runs and then fires it a quarter of the times it is asked, all from the run's
//    seed, so a seed still replays bit for bit.
//  - A point may only take a turn the code must survive anyway (what a slow disk, a short
//    read, a lost reply or a scheduler hiccup could cause); it never breaks an invariant.
//  - Crash points (named "crash.<where>") mark where durability is decided - between an
//    append and its fsync, an fsync and its acknowledgement, an upload and its commit: there
//    the machine may lose power, so every such window is crossed in a sweep, not once a year.
//  - Called only from the owning runtime's thread.

#include <string_view>

namespace lj {

class FaultPoints {
 public:
  virtual ~FaultPoints() = default;
  // Whether the point named `point` ("pipeline.delay-before-commit") fires now.
  virtual bool fire(std::string_view point) = 0;
  // The asking machine loses power now (a crash point fired): true if that was arranged, and
  // then the caller must never go on (crash_point() in env.h suspends it for good).
  virtual bool lose_power() { return false; }
};

}  // namespace lj
