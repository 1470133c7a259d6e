#pragma once
// Fetcher: the customer's downloader (`lj fetch`). It polls <folder>/logs.index over an
// HttpClient, downloads the files it has not processed yet in sequence order, verifies and
// decrypts each (read_log_file: both encodings), hands its events to a LogSink, and then
// records the file's sequence number in a small state file, written atomically.
//
// Exactly once, across restarts: a file is done when the state file says so, and the state is
// written only after the sink has the file. A crash in between hands the same file to the sink
// again, so a sink that is idempotent per file (DirectorySink: one output file per log file)
// sees every event exactly once; a stream sink (syslog) sees at least once.
//
// Never a silent stop: 401, 403, 404, 429, 5xx, connection errors, a file that fails to verify
// and a sink that fails are each logged with what to do, and retried with exponential backoff
// (reset by any success). Only what retrying cannot fix ends run() with an error: a state file
// that is unreadable or belongs to another folder, and a private key that is not the files'.
// A file the index no longer lists (aged out by retention before it was downloaded) is skipped
// with a warning naming the sequence numbers lost to this downloader. Nothing else is ever
// skipped: a gap inside logs.index (files listed after it, none in it) is an error naming the
// missing numbers, and the downloader goes no further than the gap until it is filled; a file
// that is not what its name says, or weaker than the folder allows (file_acceptance.h), is
// refused, logged and fetched again later, never delivered.
//
// Far behind, it downloads up to `parallel_downloads` listed files at once (DownloadWindow),
// still verifying, delivering and saving them one after another in order. stats() says where it
// stands (fetch_status.h renders it as a status line and as metrics): the last file delivered,
// the newest listed, since when it has been behind, and the last problem it met.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prod/delivery/download_window.h"
#include "prod/delivery/fetch_state.h"
#include "prod/delivery/file_acceptance.h"
#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/fault_points.h"
#include "prod/io/files.h"
#include "prod/io/http_client.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/lumberjack/published_layout.h"

namespace lj::delivery {

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Takes one verified file's events. Called in sequence order; the same file may come again
  // after a restart (see above).
  virtual Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) = 0;
};

struct FetchOptions {
  std::string folder;           // "<account>_<config>"
  std::string base_path = "/";  // URL path holding the folder: "/" or "/logs/", with both slashes
  BasicCredentials credentials;
  std::string state_path;  // on the FileSystem
  Duration poll_interval = std::chrono::seconds(10);
  Duration backoff_initial = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::seconds(60);
  uint64_t max_files = 0;         // stop after processing this many files; 0: no limit
  bool until_caught_up = false;   // stop when the index lists nothing new
  size_t parallel_downloads = 4;  // listed files downloaded at once when behind (1: one by one)
  ReadLimits read_limits;
  FileAcceptance acceptance;  // what a file must prove of itself (--accept-unencrypted, ...)
  std::function<void(const std::string&)> log;  // one line per call; stderr if empty
  FaultPoints* fault_points = nullptr;  // the simulator's crash points; none in the real world
};

struct FetchStats {
  uint64_t files = 0;
  uint64_t events = 0;
  uint64_t retries = 0;
  uint64_t skipped = 0;     // files aged out before they were downloaded
  uint64_t refused = 0;     // downloads refused by FileAcceptance (swapped, replayed, downgraded)
  uint64_t index_gaps = 0;  // polls that found a gap inside logs.index
  uint64_t last_seq = 0;    // the last file delivered
  uint64_t listed_through = 0;  // the newest file logs.index listed when last read
  // Since when a listed file has been waiting for this downloader (monotonic); none: caught up.
  std::optional<Duration> behind_since;
  std::string last_error;        // the last problem logged ("" if none yet)
  int64_t last_error_at_ms = 0;  // its wall-clock time
};

class Fetcher {
 public:
  // `private_key` may be null (unencrypted files only). All references outlive the Fetcher.
  Fetcher(Executor& executor, Clock& clock, FileSystem& files, HttpClient& http, LogSink& sink,
          const RsaPrivateKey* private_key, FetchOptions options);

  // Runs until stop(), max_files, caught up (if asked), or an error retrying cannot fix. It
  // returns once no download it started is still running.
  Task<Status> run();
  void stop() { stopping_ = true; }
  const FetchStats& stats() const { return stats_; }

 private:
  enum class Step { kProgress, kNothingNew, kRetry };
  Task<Status> run_polls();
  Task<Result<Step>> poll_once();
  // Starts the downloads of the files after wanted[next], up to the window's limit, none at or
  // past `stop_before` (a hole) or beyond max_files.
  void download_ahead(const std::vector<uint64_t>& wanted, size_t next,
                      std::optional<uint64_t> stop_before);
  // Notes where the index says the folder stands (stats_: listed_through, behind_since).
  void note_listed(const std::vector<uint64_t>& listed, bool anything_wanted);
  // Downloads, verifies and delivers one file, then saves the state. kRetry with a logged
  // reason, or a fatal error.
  Task<Result<Step>> process(uint64_t seq);
  Task<Result<FetchState>> load_state();
  Task<void> pause(Duration duration);  // returns early on stop()
  Duration next_backoff();
  std::string url(std::string_view name) const;
  void log(const std::string& line) const;
  void note_problem(const std::string& what);  // keeps it as stats_.last_error, with when
  void log_problem(const std::string& line);   // logs it, and notes it
  std::string explain_status(int status, const std::string& what) const;

  Clock& clock_;
  FileSystem& files_;
  HttpClient& http_;
  LogSink& sink_;
  const RsaPrivateKey* private_key_;
  FetchOptions options_;
  lumberjack::FolderName folder_;
  FetchState state_;
  FetchStats stats_;
  DownloadWindow downloads_;
  Duration backoff_{0};
  bool stopping_ = false;
};

}  // namespace lj::delivery
