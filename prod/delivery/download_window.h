#pragma once
// DownloadWindow: the downloads a Fetcher runs ahead of the file it delivers. A downloader far
// behind (back from a weekend offline, a new folder with days of files) fetches up to `limit`
// files at once, while files still reach the sink strictly one after another, in order: only
// the transfers overlap, never the verifying, delivering or saving of state.
//
// Contract:
//  - start(seq, path): begins a GET of `path` for `seq` unless one for `seq` is held, and only
//    while fewer than `limit` downloads are held (running or finished, not yet taken) and
//    fewer than `limit` run (those clear() dropped included).
//  - take(seq, path): waits for `seq`'s download (starting it if it is not held) and hands over
//    its result; `seq` is no longer held.
//  - clear(): forgets every held download. Those still running end on their own, by the
//    HttpClient's deadline at the latest; their results are dropped.
//  - drain(): returns once no download is running. The Fetcher drains before run() returns,
//    so no download outlives the HttpClient and the window it was started by.
// A GET changes nothing on the server (http_client.h), so a download started and never taken
// costs only its transfer.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "prod/io/executor.h"
#include "prod/io/http_client.h"
#include "prod/io/notifier.h"

namespace lj::delivery {

class DownloadWindow {
 public:
  DownloadWindow(Executor& executor, HttpClient& http, BasicCredentials credentials, size_t limit);
  DownloadWindow(const DownloadWindow&) = delete;
  DownloadWindow& operator=(const DownloadWindow&) = delete;

  void start(uint64_t seq, const std::string& path);
  Task<Result<HttpResponse>> take(uint64_t seq, const std::string& path);
  void clear() { held_.clear(); }
  Task<void> drain();

  size_t held() const { return held_.size(); }
  size_t running() const { return running_; }
  size_t limit() const { return limit_; }

 private:
  struct Download {
    bool done = false;
    Result<HttpResponse> result = Error(ErrorCode::kUnavailable, "download still running");
  };
  std::shared_ptr<Download> begin(const std::string& path);
  static Task<void> run(DownloadWindow& window, std::shared_ptr<Download> download,
                        std::string path);

  Executor& executor_;
  HttpClient& http_;
  BasicCredentials credentials_;
  size_t limit_;
  std::map<uint64_t, std::shared_ptr<Download>> held_;
  size_t running_ = 0;
  Notifier finished_;  // a download ended (its result is in, or dropped)
};

}  // namespace lj::delivery
