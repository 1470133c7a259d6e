#include "prod/io/task.h"

#include <gtest/gtest.h>

#include "prod/io/task_set.h"

namespace lj {
namespace {

Task<int> forty_one() {
  co_return 41;
}
Task<int> add_one() {
  co_return (co_await forty_one()) + 1;
}

// Drives a task that never suspends on I/O to completion.
template <typename T>
T run_inline(Task<T> task) {
  std::optional<T> out;
  TaskSet set;
  set.start([](Task<T> t, std::optional<T>& o) -> Task<void> { o.emplace(co_await std::move(t)); }(
                                                   std::move(task), out));
  EXPECT_EQ(set.size(), 0u);
  return *out;
}

TEST(Task, ReturnsValuesThroughAwaitChains) {
  EXPECT_EQ(run_inline(add_one()), 42);
}

TEST(Task, IsLazyUntilAwaited) {
  bool ran = false;
  auto task = [](bool& r) -> Task<int> {
    r = true;
    co_return 1;
  }(ran);
  EXPECT_FALSE(ran);
  EXPECT_EQ(run_inline(std::move(task)), 1);
  EXPECT_TRUE(ran);
}

Task<int> one() {
  co_return 1;
}

// Symmetric transfer: a million synchronous awaits in a loop must not grow the stack.
TEST(Task, LongSynchronousChainsDoNotOverflowTheStack) {
  auto sum = []() -> Task<long> {
    long total = 0;
    for (int i = 0; i < 1'000'000; ++i) total += co_await one();
    co_return total;
  };
  EXPECT_EQ(run_inline(sum()), 1'000'000);
}

struct Tracked {
  explicit Tracked(int& live) : live(live) { ++live; }
  ~Tracked() { --live; }
  int& live;
};

struct Gate {
  std::coroutine_handle<> waiting;
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { waiting = h; }
  void await_resume() noexcept {}
};

Task<void> hold_two_levels(int& live, Gate& gate) {
  Tracked outer(live);
  co_await [](int& l, Gate& g) -> Task<void> {
    Tracked inner(l);
    co_await g;
  }(live, gate);
}

// A crash destroys suspended frames, nested ones included, without resuming them.
TEST(TaskSet, DestroyAllRunsEveryFramesDestructorsWithoutResuming) {
  int live = 0;
  Gate gate;
  TaskSet set;
  set.start(hold_two_levels(live, gate));
  EXPECT_EQ(live, 2);
  EXPECT_EQ(set.size(), 1u);
  set.destroy_all();
  EXPECT_EQ(live, 0);
  EXPECT_EQ(set.size(), 0u);
}

TEST(TaskSet, FinishedRootsAreFreed) {
  int live = 0;
  Gate gate;
  TaskSet set;
  set.start(hold_two_levels(live, gate));
  gate.waiting.resume();
  EXPECT_EQ(live, 0);
  EXPECT_EQ(set.size(), 0u);
}

}  // namespace
}  // namespace lj
