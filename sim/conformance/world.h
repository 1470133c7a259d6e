#pragma once
// A World for conformance suites: two processes on the seam, in the real runtime (Boost.Asio
// on loopback, POSIX files in a temp directory) or in the simulator (two nodes). The same test
// body runs in both, so the simulated seam is held to the promises the real one keeps.

#include <memory>
#include <string>

#include "prod/io/coordinator.h"
#include "prod/io/env.h"

namespace lj::conformance {

class World {
 public:
  virtual ~World() = default;
  virtual std::string name() const = 0;
  virtual Env env(int process) = 0;
  // An address `process` can listen on with a free port.
  virtual std::string any_port_address(int process) = 0;
  // An address on `process` where nobody listens.
  virtual std::string closed_address(int process) = 0;
  // Runs `task` on process 0 to completion; fails the test if it cannot finish.
  virtual void run(Task<void> task) = 0;

  // The coordination service as `process` reaches it: a real ZooKeeper server on loopback
  // (one per test binary, started on first use; tests keep to their own paths) or the
  // simulated service. Nothing is started until a suite asks.
  virtual Coordinator& coordinator(int process) = 0;
  // Has the service expire `session` now, as it would after the session's timeout.
  virtual Task<Status> expire_session(CoordinatorSession& session) = 0;
  // Makes the service unreachable (the real server is killed) or brings it back (restarted
  // on the same port and data; waits until it serves). Idempotent.
  virtual void set_coordinator_available(bool available) = 0;
  // Only a replicated service has a leader: kills it (SIGKILL) and starts it again at once,
  // while the others elect another. kUnavailable where there is none.
  virtual Result<int> kill_coordinator_leader() {
    return Error(ErrorCode::kUnavailable, name() + " has no leader to kill");
  }
};

std::unique_ptr<World> make_real_world();
// The real runtime with a 3-server ZooKeeper ensemble (one per test binary) as its service.
std::unique_ptr<World> make_ensemble_world();
std::unique_ptr<World> make_sim_world(uint64_t seed);
std::unique_ptr<World> make_world(const std::string& kind);

}  // namespace lj::conformance
