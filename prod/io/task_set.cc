#include "prod/io/task_set.h"

#include <exception>
#include <vector>

namespace lj {

struct RootPromise;

// The frame that owns a started task; it frees itself (and its entry) when the task ends.
struct RootFrame {
  using promise_type = RootPromise;
  std::coroutine_handle<RootPromise> handle;
};

struct RootPromise {
  TaskSet* owner = nullptr;
  uint64_t id = 0;

  RootFrame get_return_object() noexcept {
    return RootFrame{std::coroutine_handle<RootPromise>::from_promise(*this)};
  }
  std::suspend_always initial_suspend() noexcept { return {}; }
  auto final_suspend() noexcept {
    struct Finish {
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<RootPromise> self) noexcept {
        RootPromise& promise = self.promise();
        promise.owner->finished(promise.id);
        self.destroy();
      }
      void await_resume() noexcept {}
    };
    return Finish{};
  }
  void return_void() noexcept {}
  [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
};

namespace {
RootFrame run_root(Task<void> task) {
  co_await std::move(task);
}
}  // namespace

void TaskSet::start(Task<void> task) {
  RootFrame root = run_root(std::move(task));
  const uint64_t id = next_id_++;
  root.handle.promise().owner = this;
  root.handle.promise().id = id;
  roots_.emplace(id, root.handle);
  root.handle.resume();
}

void TaskSet::destroy_all() {
  // Destroying a frame may run destructors that start or finish other roots; drain until empty.
  while (!roots_.empty()) {
    auto it = roots_.begin();
    std::coroutine_handle<> handle = it->second;
    roots_.erase(it);
    handle.destroy();
  }
}

}  // namespace lj
