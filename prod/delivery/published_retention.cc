#include "prod/delivery/published_retention.h"

#include <algorithm>
#include <utility>

#include "prod/delivery/retention.h"
#include "prod/io/planted.h"

namespace lj::delivery {

PublishedRetention::PublishedRetention(ObjectStore& store, Clock& clock, Duration period,
                                       LogSink log)
    : store_(store), clock_(clock), period_(period), log_(std::move(log)) {}

Duration PublishedRetention::interval(Duration period) {
  return std::clamp<Duration>(period / 10, std::chrono::seconds(1), std::chrono::minutes(10));
}

Task<void> PublishedRetention::run(lumberjack::CustomerConfig config) {
  ListedSince& listed = listed_since_[config.folder()];
  const Duration now = clock_.monotonic_now();
  const Duration period = period_;
  std::function<bool(uint64_t)> may_expire = [&listed, now, period](uint64_t seq) {
    return listed.listed_for(seq, now) >= period;
  };
  if (LJ_PLANTED(kPublishedWallClockRetention)) may_expire = nullptr;
  const int64_t period_ms = std::chrono::duration_cast<std::chrono::milliseconds>(period_).count();
  Result<RetentionResult> expired = co_await expire_published_files(
      store_, config, clock_.wall_now_ms(), period_ms, std::move(may_expire));
  if (!expired.ok()) {
    log_(LogLevel::kWarn, "retention of " + config.folder() + ": " + expired.error().to_string());
    co_return;
  }
  listed.listed_through(expired->last_listed_seq, now);
  listed.forget_below(expired->first_kept_seq);
  if (expired->files_removed > 0) {
    log_(LogLevel::kInfo, "retention of " + config.folder() + ": removed " +
                              std::to_string(expired->files_removed) + " files");
  }
}

}  // namespace lj::delivery
