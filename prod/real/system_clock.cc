#include "prod/real/system_clock.h"

#include <boost/asio/steady_timer.hpp>

namespace lj {

Duration SystemClock::monotonic_now() const {
  return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch());
}

int64_t SystemClock::wall_now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Task<void> SystemClock::sleep_for(Duration duration) {
  boost::asio::steady_timer timer(io_, duration);
  struct Wait {
    boost::asio::steady_timer& timer;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) {
      timer.async_wait([self](const boost::system::error_code&) { self.resume(); });
    }
    void await_resume() noexcept {}
  };
  co_await Wait{timer};
}

}  // namespace lj
