#pragma once
// MetricsEndpoint: serves GET /metrics in the Prometheus text format on the Network seam, so
// an operator's scraper (or curl) sees what a daemon is doing (Graceland's counters, a
// Lumberjack node's), and any other pages it is given (a Lumberjack's status page: /status,
// /status.json). One request per connection; a request line or headers over 8 KiB, or a method
// other than GET, gets a 4xx. Logic only: the daemons pass the real network.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "prod/io/env.h"
#include "prod/io/task_set.h"

namespace lj {

// A page besides /metrics: rendered afresh for every request.
struct Page {
  std::string content_type;
  std::function<std::string()> render;
};

class MetricsEndpoint {
 public:
  // Listens on `address` ("127.0.0.1:9300"; port 0 picks one) and serves `render()` at
  // /metrics (and /), and each of `pages` at its path.
  static Result<std::unique_ptr<MetricsEndpoint>> start(Env env, const std::string& address,
                                                        std::function<std::string()> render,
                                                        std::map<std::string, Page> pages = {});
  std::string address() const { return listener_->address(); }

 private:
  MetricsEndpoint(Env env, std::unique_ptr<Listener> listener, std::function<std::string()> render,
                  std::map<std::string, Page> pages)
      : env_(env),
        listener_(std::move(listener)),
        render_(std::move(render)),
        pages_(std::move(pages)) {}
  Task<void> accept_loop();
  Task<void> answer(std::unique_ptr<Connection> connection);

  Env env_;
  std::unique_ptr<Listener> listener_;
  std::function<std::string()> render_;
  std::map<std::string, Page> pages_;
  TaskSet connections_;
};

}  // namespace lj
