#pragma once
// TaskSet: owns detached root tasks. A started task runs until its first suspension inside
// start(), and its frame is freed when it finishes. destroy_all() destroys every unfinished
// frame without resuming it: the simulator's crash, and a process's final teardown.
//
// Roots are kept in id order (std::map), so teardown order is the same on every run.

#include <coroutine>
#include <cstdint>
#include <map>

#include "prod/io/task.h"

namespace lj {

class TaskSet {
 public:
  TaskSet() = default;
  TaskSet(const TaskSet&) = delete;
  TaskSet& operator=(const TaskSet&) = delete;
  ~TaskSet() { destroy_all(); }

  void start(Task<void> task);
  void destroy_all();
  size_t size() const { return roots_.size(); }

 private:
  friend struct RootPromise;
  void finished(uint64_t id) { roots_.erase(id); }

  uint64_t next_id_ = 0;
  std::map<uint64_t, std::coroutine_handle<>> roots_;
};

}  // namespace lj
