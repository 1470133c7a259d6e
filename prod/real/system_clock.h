#pragma once

#include <boost/asio/io_context.hpp>

#include "prod/io/clock.h"

namespace lj {

class SystemClock final : public Clock {
 public:
  explicit SystemClock(boost::asio::io_context& io) : io_(io) {}
  Duration monotonic_now() const override;
  int64_t wall_now_ms() const override;
  Task<void> sleep_for(Duration duration) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace lj
