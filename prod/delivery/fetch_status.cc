#include "prod/delivery/fetch_status.h"

#include <algorithm>
#include <cstdio>

#include "prod/logging/logfmt.h"

namespace lj::delivery {
namespace {

uint64_t lag_files(const FetchStats& stats) {
  return stats.listed_through > stats.last_seq ? stats.listed_through - stats.last_seq : 0;
}

double lag_seconds(const FetchStats& stats, Duration now) {
  if (!stats.behind_since) return 0;
  return std::chrono::duration<double>(std::max(Duration(0), now - *stats.behind_since)).count();
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return text;
}

}  // namespace

std::string fetch_status_line(const std::string& folder, const FetchStats& stats, Duration now,
                              int64_t now_ms) {
  std::string line =
      "status folder=" + folder + " last_file=" + std::to_string(stats.last_seq) +
      " listed_through=" + std::to_string(stats.listed_through) +
      " lag_files=" + std::to_string(lag_files(stats)) +
      " lag_s=" + seconds_text(lag_seconds(stats, now)) + " files=" + std::to_string(stats.files) +
      " events=" + std::to_string(stats.events) + " retries=" + std::to_string(stats.retries) +
      " aged_out=" + std::to_string(stats.skipped);
  if (stats.last_error.empty()) return line + " last_error=none";
  const double age_s =
      static_cast<double>(std::max<int64_t>(0, now_ms - stats.last_error_at_ms)) / 1000;
  return line + " last_error_age_s=" + seconds_text(age_s) +
         " last_error=" + logfmt_quote(stats.last_error);
}

std::string fetch_metrics_text(const std::string& folder, const FetchStats& stats, Duration now) {
  // The folder is "<account>_<config>" (digits and '_'): safe inside a label as it is.
  const std::string label = "{folder=\"" + folder + "\"}";
  std::string text;
  auto metric = [&](const char* name, const char* type, const char* help,
                    const std::string& value) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
            name + label + " " + value + "\n";
  };
  metric("lj_fetch_last_file", "gauge", "Sequence number of the last file delivered.",
         std::to_string(stats.last_seq));
  metric("lj_fetch_listed_through", "gauge", "Newest file logs.index listed when last read.",
         std::to_string(stats.listed_through));
  metric("lj_fetch_lag_files", "gauge", "Listed files not delivered yet.",
         std::to_string(lag_files(stats)));
  metric("lj_fetch_lag_seconds", "gauge", "How long the oldest undelivered listed file has waited.",
         seconds_text(lag_seconds(stats, now)));
  metric("lj_fetch_files_total", "counter", "Files delivered by this run.",
         std::to_string(stats.files));
  metric("lj_fetch_events_total", "counter", "Events delivered by this run.",
         std::to_string(stats.events));
  metric("lj_fetch_retries_total", "counter", "Retries after a problem.",
         std::to_string(stats.retries));
  metric("lj_fetch_aged_out_files_total", "counter",
         "Files retention removed before they were downloaded.", std::to_string(stats.skipped));
  metric("lj_fetch_refused_files_total", "counter",
         "Downloads refused (swapped, replayed, downgraded).", std::to_string(stats.refused));
  metric("lj_fetch_last_error_timestamp_seconds", "gauge",
         "Wall-clock time of the last problem (0: none).",
         std::to_string(stats.last_error.empty() ? 0 : stats.last_error_at_ms / 1000));
  return text;
}

}  // namespace lj::delivery
