#include "prod/cmd/lj/fetch_status_reporter.h"

#include "prod/delivery/fetch_status.h"

namespace lj {

Task<void> FetchStatusReporter::run() {
  while (true) {
    co_await env_.clock.sleep_for(every_);
    if (finished_) co_return;
    if (print_) {
      err_ << "lj fetch: "
           << delivery::fetch_status_line(folder_, fetcher_.stats(), env_.clock.monotonic_now(),
                                          env_.clock.wall_now_ms())
           << "\n"
           << std::flush;
    }
    co_await write_metrics();
  }
}

Task<void> FetchStatusReporter::finish() {
  finished_ = true;
  while (writing_) co_await idle_.wait();
  co_await write_metrics();
}

Task<void> FetchStatusReporter::write_metrics() {
  if (metrics_file_.empty()) co_return;
  writing_ = true;
  const std::string text =
      delivery::fetch_metrics_text(folder_, fetcher_.stats(), env_.clock.monotonic_now());
  Status s =
      co_await write_file_atomically(env_.files, metrics_file_, std::as_bytes(std::span(text)));
  if (!s.ok()) err_ << "lj fetch: --metrics-file: " << s.to_string() << "\n" << std::flush;
  writing_ = false;
  idle_.notify_all();
}

}  // namespace lj
