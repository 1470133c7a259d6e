#pragma once
// PublishedRetention: a Lumberjack node's retention of its customers' published files - what
// CustomerPipeline runs while idle (PipelineContext::expire_old_files), at most every
// interval(). A file leaves storage and logs.index when it is older than the period by its
// header's endTime (expire_published_files) and this process has also seen it listed for the
// whole period by its monotonic clock (ListedSince, one per customer folder): a wall clock
// days off must not expire what customers have not downloaded yet. After a restart, files live
// one more period at most.

#include <functional>
#include <map>
#include <string>

#include "prod/delivery/listed_since.h"
#include "prod/io/clock.h"
#include "prod/io/log.h"
#include "prod/io/object_store.h"
#include "prod/io/task.h"
#include "prod/lumberjack/customer_config.h"

namespace lj::delivery {

class PublishedRetention {
 public:
  // `log`: one line per run that removed something or failed. REQUIRES: `store` and `clock`
  // outlive this object.
  PublishedRetention(ObjectStore& store, Clock& clock, Duration period, LogSink log);

  // One run over `config`'s folder. Errors are logged; the next run tries again.
  Task<void> run(lumberjack::CustomerConfig config);

  // How often to run: a tenth of the period (files leave within 110% of their age), 1 s to 10 min.
  static Duration interval(Duration period);

 private:
  ObjectStore& store_;
  Clock& clock_;
  Duration period_;
  LogSink log_;
  std::map<std::string, ListedSince> listed_since_;  // per customer folder
};

}  // namespace lj::delivery
