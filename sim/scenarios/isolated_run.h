#pragma once
// run_isolated: one seed in a child process, so that a failed invariant (LJ_ASSERT aborts: in
// the simulator it is a found bug) or any other crash fails that seed alone, with what it
// printed, instead of ending a sweep of thousands. The child runs run_one() exactly as the
// parent would (the same seed, the same trace), and hands its RunResult back through a pipe.

#include "sim/scenarios/sweep.h"

namespace lj::sim {

RunResult run_isolated(const RunRequest& request);

}  // namespace lj::sim
