#pragma once
// Env: the whole seam one process sees, passed into constructors (never global). A process
// written against Env cannot tell whether it runs on Boost.Asio or in the simulator.
// Later resources (the coordinator, object storage) are added here.

#include "prod/io/clock.h"
#include "prod/io/executor.h"
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
};

}  // namespace lj
