#pragma once
// Env: the whole seam one process sees, passed into constructors (never global). A process
// written against Env cannot tell whether it runs on Boost.Asio or in the simulator. The
// coordinator (ZooKeeper) and object storage are not in it: they are per service, so each
// component that uses one is handed it (Coordinator&, ObjectStore&) beside its Env.

#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/fault_points.h"
#include "prod/io/files.h"
#include "prod/io/network.h"
#include "prod/io/random.h"

namespace lj {

struct Env {
  Executor& executor;
  Clock& clock;
  Random& random;
  Network& network;
  FileSystem& files;
  // Code-level fault points (prod/io/fault_points.h): only the simulator supplies them.
  FaultPoints* fault_points = nullptr;
};

// The same seam with another network: connections of one kind (to Gracelands, over mutual
// TLS) while the rest of the process keeps its own.
inline Env with_network(const Env& env, Network& network) {
  return Env{env.executor, env.clock, env.random, network, env.files, env.fault_points};
}

// Whether the fault point `point` fires now: never in the real world.
inline bool buggify(const Env& env, std::string_view point) {
  return env.fault_points != nullptr && env.fault_points->fire(point);
}

// A crash point ("crash.graceland.before-ack"): if it fires, the machine loses power right
// here and the caller never resumes (its frame is destroyed with the process). Returns at once
// in the real world, and whenever the point does not fire.
Task<void> crash_point(FaultPoints* points, std::string_view point);
inline Task<void> crash_point(const Env& env, std::string_view point) {
  return crash_point(env.fault_points, point);
}

}  // namespace lj
