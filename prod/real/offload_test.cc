// Executor::offload in the real runtime: work runs on a pool thread while the loop keeps
// running other coroutines, and the awaiting coroutine resumes on the loop's thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "prod/io/env.h"
#include "prod/real/asio_runtime.h"

namespace lj {
namespace {

// The offloaded work waits for a flag only another coroutine on the loop sets: it can finish
// only if the loop runs meanwhile, i.e. only if the work is not on the loop's thread.
TEST(Offload, WorkRunsBesideTheLoopAndTheCallerResumesOnIt) {
  RealRuntime runtime(".", 1);
  Env env = runtime.env();
  const std::thread::id loop = std::this_thread::get_id();
  std::atomic<bool> loop_ran{false};
  std::thread::id worked_on;
  std::thread::id resumed_on;
  env.executor.spawn([](Env env, std::atomic<bool>& flag) -> Task<void> {
    co_await env.clock.sleep_for(std::chrono::milliseconds(20));
    flag = true;
  }(env, loop_ran));
  runtime.run([&]() -> Task<void> {
    auto work = [&] {
      worked_on = std::this_thread::get_id();
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!loop_ran && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    };
    co_await env.executor.run_offloaded(work);
    resumed_on = std::this_thread::get_id();
  }());
  EXPECT_TRUE(loop_ran.load()) << "the loop did not run while the work waited for it";
  EXPECT_NE(worked_on, loop);
  EXPECT_EQ(resumed_on, loop);
}

// No offload threads (the default): the work runs on the loop's thread, and the caller still
// resumes later (never inline), after what was already queued.
TEST(Offload, WithoutThreadsWorkRunsOnTheLoopAndTheCallerResumesLater) {
  RealRuntime runtime(".", 0);
  Env env = runtime.env();
  const std::thread::id loop = std::this_thread::get_id();
  std::thread::id worked_on;
  bool other_ran_first = false;
  runtime.run([&]() -> Task<void> {
    bool other_ran = false;
    env.executor.spawn([](Env env, bool& ran) -> Task<void> {
      co_await env.executor.yield();
      ran = true;
    }(env, other_ran));
    auto work = [&] { worked_on = std::this_thread::get_id(); };
    co_await env.executor.run_offloaded(work);
    other_ran_first = other_ran;
  }());
  EXPECT_EQ(worked_on, loop);
  EXPECT_TRUE(other_ran_first);
}

}  // namespace
}  // namespace lj
