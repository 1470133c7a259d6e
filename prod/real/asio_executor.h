#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "prod/io/executor.h"
#include "prod/io/task_set.h"

namespace lj {

class AsioExecutor final : public Executor {
 public:
  // `cpu_pool` runs offloaded work (nullptr: on the loop thread, as the default does).
  explicit AsioExecutor(boost::asio::io_context& io, boost::asio::thread_pool* cpu_pool = nullptr)
      : io_(io), cpu_pool_(cpu_pool) {}
  void spawn(Task<void> task) override { roots_.start(std::move(task)); }
  void post(std::coroutine_handle<> coroutine) override {
    boost::asio::post(io_, [coroutine] { coroutine.resume(); });
  }
  void offload(std::function<void()> work, std::coroutine_handle<> then) override {
    if (cpu_pool_ == nullptr) return Executor::offload(std::move(work), then);
    // The guard keeps the loop's run() from returning for lack of work while the pool works.
    auto busy = boost::asio::make_work_guard(io_);
    boost::asio::post(*cpu_pool_, [work = std::move(work), then, busy = std::move(busy)]() mutable {
      work();
      boost::asio::post(busy.get_executor(), [then] { then.resume(); });
      busy.reset();
    });
  }
  void destroy_all() { roots_.destroy_all(); }
  bool idle() const { return roots_.size() == 0; }

 private:
  boost::asio::io_context& io_;
  boost::asio::thread_pool* cpu_pool_;
  TaskSet roots_;
};

}  // namespace lj
