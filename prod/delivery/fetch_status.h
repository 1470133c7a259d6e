#pragma once
// Where a downloader stands, for the people who run it: one logfmt status line (printed every
// few seconds by `lj fetch --status-every-s`), and the same figures in the Prometheus text
// format (`lj fetch --metrics-file`, for node_exporter's textfile collector or any scraper).
//   lag_files  file numbers logs.index lists after the last one this downloader delivered
//   lag_s      how long the oldest of them has been waiting, as this process saw it (a run
//              from cron starts its clock anew: lag_files is the figure to alert on there)
//   last_error the last problem it met (retried, as always), with its age; quoted as the
//              daemons' logfmt values are (logfmt_quote): a server's text forges no key or line

#include <string>

#include "prod/delivery/fetcher.h"
#include "prod/io/clock.h"

namespace lj::delivery {

// `now`: the monotonic time; `now_ms`: the wall clock (epoch ms), for the last error's age.
std::string fetch_status_line(const std::string& folder, const FetchStats& stats, Duration now,
                              int64_t now_ms);
std::string fetch_metrics_text(const std::string& folder, const FetchStats& stats, Duration now);

}  // namespace lj::delivery
