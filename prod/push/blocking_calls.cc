#include "prod/push/blocking_calls.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <coroutine>
#include <optional>

namespace lj::push {

struct BlockingCalls::Pending {
  std::optional<Status> status;
  std::coroutine_handle<> waiter;
  bool abandoned = false;  // only touched on the loop's thread
};

struct BlockingCalls::Await {
  BlockingCalls& calls;
  std::shared_ptr<void> keep_alive;
  std::function<Status()> call;
  std::shared_ptr<Pending> pending;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) {
    pending->waiter = waiter;
    boost::asio::post(calls.pool_, [post = calls.post_, keep_alive = std::move(keep_alive),
                                    call = std::move(call), pending = pending]() mutable {
      Status status = call();
      post([pending, status = std::move(status)]() mutable {
        if (pending->abandoned) return;
        pending->status = std::move(status);
        pending->waiter.resume();
      });
      // What the call captured, and the destination if this held its last reference, go here,
      // on this thread: closing a session blocks, and must never block the loop.
      call = nullptr;
      keep_alive.reset();
    });
  }
  Status await_resume() { return std::move(*pending->status); }
};

BlockingCalls::BlockingCalls(unsigned threads, Poster post_to_loop)
    : post_(std::move(post_to_loop)), pool_(std::max(1u, threads)) {}

BlockingCalls::~BlockingCalls() {
  pool_.join();
}

Task<Status> BlockingCalls::run(std::shared_ptr<void> keep_alive, std::function<Status()> call) {
  auto pending = std::make_shared<Pending>();
  struct AbandonOnExit {
    Pending& pending;
    ~AbandonOnExit() { pending.abandoned = true; }
  } guard{*pending};
  Await await{*this, std::move(keep_alive), std::move(call),
              pending};  // (no braces in a co_await: GCC 12)
  co_return co_await await;
}

}  // namespace lj::push
