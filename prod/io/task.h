#pragma once
// Task<T>: the one coroutine type all production logic is written in, resumed alike by the
// Boost.Asio runtime (prod/real) and by the single-threaded simulator (sim/). This is how one
// code base runs on real sockets and under a seed.
//
// Contract:
//  - Lazy: a Task does nothing until it is co_awaited (or started by Executor::spawn).
//  - Owned: destroying a Task destroys its frame and, recursively, the frames it awaits. The
//    simulator relies on this to model a crash: it destroys a node's root frames, never
//    resuming them, and every local in them is destructed as if the process vanished.
//  - A chain of synchronously completing awaits does not grow the stack, even where the
//    compiler emits no tail calls (sanitizer builds): the awaiting coroutine runs its child
//    inline and, if the child finished inline, simply continues (await_suspend returns false)
//    rather than being resumed from inside the child's final suspend.
//  - No exception may escape a task: errors travel as Status / Result<T>. An escaped
//    exception terminates the process (in the simulator: a found bug with a seed).

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "prod/io/invariant.h"

namespace lj {

template <typename T = void>
class Task;

namespace detail {

struct TaskPromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  bool started_inline = false;   // the awaiter's await_suspend is running this task now
  bool finished_inline = false;  // it finished before that call returned

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
      TaskPromiseBase& promise = self.promise();
      if (promise.started_inline) {
        promise.finished_inline = true;  // the awaiter continues by itself: no nesting
        return std::noop_coroutine();
      }
      return promise.continuation;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
};

template <typename T>
struct TaskPromise : TaskPromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& result) {
    value.emplace(std::forward<U>(result));
  }
  T take() {
    LJ_ASSERT(value.has_value());
    return std::move(*value);
  }
};

template <>
struct TaskPromise<void> : TaskPromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() noexcept {}
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle handle) : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle handle;
      bool await_ready() noexcept { return false; }
      bool await_suspend(std::coroutine_handle<> awaiting) noexcept {
        promise_type& promise = handle.promise();
        promise.continuation = awaiting;
        promise.started_inline = true;
        handle.resume();
        promise.started_inline = false;
        return !promise.finished_inline;  // false: continue the awaiting coroutine at once
      }
      T await_resume() { return handle.promise().take(); }
    };
    LJ_ASSERT(handle_ && !handle_.done());
    return Awaiter{handle_};
  }

  // For runtimes: the result of a task that has run to completion.
  T take_result() {
    LJ_ASSERT(done());
    return handle_.promise().take();
  }
  Handle handle() const { return handle_; }

 private:
  void reset() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

namespace detail {
template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace lj
