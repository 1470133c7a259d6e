#include <coroutine>

#include "prod/io/env.h"

namespace lj {

namespace {

// Suspends its awaiter for good: only the power loss that follows ends the frame.
struct Forever {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) noexcept {}
  void await_resume() noexcept {}
};

}  // namespace

Task<void> crash_point(FaultPoints* points, std::string_view point) {
  if (points == nullptr || !points->fire(point)) co_return;
  if (!points->lose_power()) co_return;
  co_await Forever{};
}

}  // namespace lj
