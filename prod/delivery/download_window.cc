#include "prod/delivery/download_window.h"

#include "prod/io/invariant.h"

namespace lj::delivery {

DownloadWindow::DownloadWindow(Executor& executor, HttpClient& http, BasicCredentials credentials,
                               size_t limit)
    : executor_(executor),
      http_(http),
      credentials_(std::move(credentials)),
      limit_(limit),
      finished_(executor) {
  LJ_ASSERT(limit_ >= 1);
}

std::shared_ptr<DownloadWindow::Download> DownloadWindow::begin(const std::string& path) {
  auto download = std::make_shared<Download>();
  ++running_;
  executor_.spawn(run(*this, download, path));
  return download;
}

Task<void> DownloadWindow::run(DownloadWindow& window, std::shared_ptr<Download> download,
                               std::string path) {
  // `window` outlives this task: its owner drains it before going (see the contract).
  Result<HttpResponse> result = co_await window.http_.get(path, window.credentials_);
  download->result = std::move(result);
  download->done = true;
  LJ_ASSERT(window.running_ > 0);
  --window.running_;
  window.finished_.notify_all();
}

void DownloadWindow::start(uint64_t seq, const std::string& path) {
  // Downloads a retry abandoned still count while they run: never more than `limit` at once
  // (but the one take() needs, which it starts whatever runs).
  if (held_.contains(seq) || held_.size() >= limit_ || running_ >= limit_) return;
  held_.emplace(seq, begin(path));
}

Task<Result<HttpResponse>> DownloadWindow::take(uint64_t seq, const std::string& path) {
  auto it = held_.find(seq);
  std::shared_ptr<Download> download = it != held_.end() ? it->second : begin(path);
  if (it != held_.end()) held_.erase(it);
  while (!download->done) co_await finished_.wait();
  co_return std::move(download->result);
}

Task<void> DownloadWindow::drain() {
  while (running_ > 0) co_await finished_.wait();
}

}  // namespace lj::delivery
