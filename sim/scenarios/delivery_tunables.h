#pragma once
// Tunables: the timeouts and tunables of one delivery run - the production defaults, or drawn
// from the seed within the ranges the design claims to work in.

#include <cstdint>
#include <string>

#include "prod/io/clock.h"

namespace lj::sim {

struct Tunables {
  uint64_t roll_max_events = 150;
  uint32_t roll_max_age_ms = 2000;
  Duration session_timeout = std::chrono::seconds(4);
  Duration tick = std::chrono::milliseconds(500);
  Duration poll_interval = std::chrono::milliseconds(200);
  Duration pop_retry_after = std::chrono::seconds(2);
  Duration pipeline_retry_backoff = std::chrono::milliseconds(500);
  uint32_t read_bytes = 1 << 20;
  size_t proxy_batch_events = 20;
  Duration proxy_retry_backoff = std::chrono::milliseconds(50);
  Duration graceland_call_timeout = std::chrono::seconds(10);  // proxies' and pipelines' deadline
  Duration pop_read_wait = std::chrono::milliseconds(500);
  // Graceland's segments: their age at roll, how long they are kept, how often retention runs.
  Duration pop_segment_age = std::chrono::hours(1);
  Duration pop_retention = std::chrono::hours(48);
  Duration pop_retention_interval = std::chrono::seconds(60);
  // Lumberjack's retention of published files (PublishedRetention; it runs every tenth of it).
  Duration published_retention = std::chrono::hours(48);
  // The central store's shape: S3's (no rename: BucketObjectStore composes it from exists, copy
  // and remove, prod/storage/bucket_object_store.h) or one with an atomic rename (WebDAV, a
  // directory).
  bool bucket_store = false;

  // How long after the world heals every acknowledged event must be published, derived from
  // these tunables (delivery_tunables.cc says what each term pays for).
  Duration publication_bound() const;

  std::string describe() const {
    auto ms = [](Duration d) {
      return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    return "roll=" + std::to_string(roll_max_events) + "ev/" + std::to_string(roll_max_age_ms) +
           "ms session=" + ms(session_timeout) + "ms tick=" + ms(tick) +
           "ms poll=" + ms(poll_interval) + "ms pop-retry=" + ms(pop_retry_after) +
           "ms backoff=" + ms(pipeline_retry_backoff) + "ms read=" + std::to_string(read_bytes) +
           "B proxy-batch=" + std::to_string(proxy_batch_events) +
           " proxy-backoff=" + ms(proxy_retry_backoff) +
           "ms graceland-timeout=" + ms(graceland_call_timeout) +
           "ms pop-wait=" + ms(pop_read_wait) + "ms pop-segments=" + ms(pop_segment_age) +
           "ms pop-retention=" + ms(pop_retention) + "ms/" + ms(pop_retention_interval) +
           "ms published-retention=" + ms(published_retention) +
           (bucket_store ? "ms store=bucket" : "ms store=native");
  }
};

// From its own generator (not the simulation's), so the draw does not shift any other choice.
Tunables draw_tunables(uint64_t seed);

}  // namespace lj::sim
