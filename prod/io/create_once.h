#pragma once
// A persistent create that survives a lost reply, for callers that retry rather than give up
// at the first ZooKeeper stall (`lj ctl add --from` adding thousands of customers).
//
// ZooKeeper's client reports an operation timeout or a lost connection (kUnavailable) whether
// or not the create was applied. So the create is sent again, after a backoff; a node that then
// already exists holding exactly `data` is this caller's own earlier create, and counts as
// created. A node that existed before the first attempt, or holds other bytes, is kAlreadyExists:
// nothing is ever created twice, nor anyone else's node taken for ours.

#include <string>

#include "prod/io/clock.h"
#include "prod/io/coordinator.h"
#include "prod/io/task.h"

namespace lj {

struct CreateOnceOptions {
  int attempts = 5;
  Duration first_backoff = std::chrono::seconds(1);  // doubled after each unanswered attempt
};

// Creates `path` (and its missing ancestors, as create_path) holding `data`. By value: the
// coroutine outlives its caller's temporaries.
Task<Status> create_once(CoordinatorSession& session, Clock& clock, std::string path,
                         std::string data, CreateOnceOptions options = {});

}  // namespace lj
