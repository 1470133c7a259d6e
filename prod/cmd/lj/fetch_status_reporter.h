#pragma once
// FetchStatusReporter: `lj fetch --status-every-s` and `--metrics-file`. Every `every`, the
// status line on `err` (lag, last file, last error) and the metrics file rewritten atomically
// (a scraper never reads half of it); finish() writes the last figures once the fetcher has
// returned. One write at a time: two would share the file's temporary name.

#include <ostream>
#include <string>

#include "prod/delivery/fetcher.h"
#include "prod/io/env.h"
#include "prod/io/notifier.h"

namespace lj {

class FetchStatusReporter {
 public:
  // `print`: the status line too (else only the metrics file, if named).
  FetchStatusReporter(Env env, const delivery::Fetcher& fetcher, std::string folder, Duration every,
                      bool print, std::string metrics_file, std::ostream& err)
      : env_(env),
        fetcher_(fetcher),
        folder_(std::move(folder)),
        every_(every),
        print_(print),
        metrics_file_(std::move(metrics_file)),
        err_(err),
        idle_(env.executor) {}

  // Reports every `every` until finish().
  Task<void> run();
  Task<void> finish();

 private:
  Task<void> write_metrics();

  Env env_;
  const delivery::Fetcher& fetcher_;
  std::string folder_;
  Duration every_;
  bool print_;
  std::string metrics_file_;
  std::ostream& err_;
  bool finished_ = false;
  bool writing_ = false;
  Notifier idle_;
};

}  // namespace lj
