#pragma once
// A Graceland's /metrics (served by prod/http/metrics_endpoint.h): what it acknowledged and
// served, what it refused and why, its store (segments, bytes, retention) and its disk's room.
// No label names a customer: the series are the same few whatever the PoP holds.
// docs/operations.md lists them and the alert rules (packaging/prometheus/lumberjack-rules.yml)
// that use them.

#include <optional>
#include <string>

#include "prod/graceland/graceland_server.h"

namespace lj::graceland {

// One reading of a server and its store.
struct GracelandMetrics {
  GracelandStats server;
  size_t open_connections = 0;
  SegmentStoreStats store;
  uint64_t stored_bytes = 0;
  size_t segments = 0;
  size_t accounts = 0;
  size_t open_writers = 0;
  uint64_t max_store_bytes = 0;             // 0: no maximum
  uint64_t disk_reserve_bytes = 0;          // 0: none kept
  std::optional<uint64_t> disk_free_bytes;  // none: the file system did not say
};

// Reads `server` now; asks its file system for the free space (one statvfs).
GracelandMetrics read_metrics(GracelandServer& server);
std::string render_graceland_metrics(const GracelandMetrics& metrics);

}  // namespace lj::graceland
