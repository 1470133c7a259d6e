#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "prod/io/executor.h"
#include "prod/io/task_set.h"

namespace lj {

class AsioExecutor final : public Executor {
 public:
  explicit AsioExecutor(boost::asio::io_context& io) : io_(io) {}
  void spawn(Task<void> task) override { roots_.start(std::move(task)); }
  void post(std::coroutine_handle<> coroutine) override {
    boost::asio::post(io_, [coroutine] { coroutine.resume(); });
  }
  void destroy_all() { roots_.destroy_all(); }
  bool idle() const { return roots_.size() == 0; }

 private:
  boost::asio::io_context& io_;
  TaskSet roots_;
};

}  // namespace lj
