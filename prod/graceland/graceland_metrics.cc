#include "prod/graceland/graceland_metrics.h"

#include <cstdint>

#include "prod/http/metrics_text.h"

namespace lj::graceland {

namespace {

void render_traffic(const GracelandMetrics& m, MetricsText& text) {
  const GracelandStats& s = m.server;
  text.gauge("graceland_connections", "Client connections open now.",
             static_cast<double>(m.open_connections));
  text.counter("graceland_connections_accepted_total",
               "Client connections served (past the connection caps).", s.connections_accepted);
  text.counter("graceland_batches_acked_total", "Batches acknowledged: durable (fsynced) first.",
               s.batches_acked);
  text.counter("graceland_events_acked_total", "Events in acknowledged batches.", s.events_acked);
  text.counter("graceland_bytes_acked_total", "Bytes of the acknowledged events' records.",
               s.bytes_acked);
  text.counter("graceland_commits_total", "Group commits (fsync rounds).", s.commits);
  text.counter("graceland_commit_failures_total",
               "Group commits whose fsync failed: their batches were refused, not acknowledged.",
               s.failed_commits);
  text.counter("graceland_reads_served_total",
               "Reads answered (a read, or one customer's part of a read-many).", s.reads_served);
  text.counter("graceland_records_read_total", "Records those reads carried.", s.records_read);
  text.counter("graceland_bytes_read_total", "Bytes of the records those reads carried.",
               s.bytes_read);
}

void render_refusals(const GracelandMetrics& m, MetricsText& text) {
  const GracelandStats& s = m.server;
  text.counter("graceland_rejected_frames_total",
               "Requests answered with an error and the connection closed (malformed, refused, "
               "or failed).",
               s.rejected_frames);
  text.counter("graceland_refused_requests_total",
               "Clients without an identity, or asking beyond their role.", s.refused_requests);
  text.counter("graceland_refused_connections_total",
               "Connections closed unanswered over a connection cap.", s.refused_connections);
  text.counter("graceland_refused_batches_total",
               "Batches refused whole for room (the proxy retries, perhaps at another PoP).",
               s.refused_batches);
  text.counter("graceland_refused_batches_account_quota_total",
               "Of those, over one account's quota (--account-quota).",
               m.store.refused_account_quota);
  text.counter("graceland_refused_batches_store_max_total",
               "Of those, over the store's maximum (--max-store-bytes): the PoP is full.",
               m.store.refused_store_max);
  text.counter("graceland_refused_batches_disk_reserve_total",
               "Of those, into the disk's reserve (--disk-reserve): the disk is full.",
               m.store.refused_disk_reserve);
}

void render_store(const GracelandMetrics& m, MetricsText& text) {
  text.counter("graceland_damaged_segments_total",
               "ALARM: segments recovery found damaged (records follow one failing its checksum).",
               m.server.damaged_segments);
  text.counter("graceland_damaged_reads_refused_total",
               "ALARM: reads that reached damage: refused, never skipped past.",
               m.server.damaged_reads_refused);
  text.gauge("graceland_stored_bytes", "Bytes of every kept segment.",
             static_cast<double>(m.stored_bytes));
  text.gauge("graceland_store_max_bytes", "--max-store-bytes (0: no maximum).",
             static_cast<double>(m.max_store_bytes));
  text.gauge("graceland_segments", "Segments kept.", static_cast<double>(m.segments));
  text.gauge("graceland_accounts", "Customers with segments kept.",
             static_cast<double>(m.accounts));
  text.gauge("graceland_open_writers", "Segment files open for appending.",
             static_cast<double>(m.open_writers));
  text.counter("graceland_segments_created_total", "Segments created.", m.store.segments_created);
  text.counter("graceland_segments_expired_total", "Segments retention removed.",
               m.store.segments_expired);
  text.counter("graceland_bytes_expired_total", "Bytes of the segments retention removed.",
               m.store.bytes_expired);
  text.gauge("graceland_disk_reserve_bytes",
             "Free bytes kept on the data directory's file system (--disk-reserve; 0: none).",
             static_cast<double>(m.disk_reserve_bytes));
  text.family("graceland_disk_free_bytes", MetricType::kGauge,
              "Bytes an unprivileged writer may still append on the data directory's file "
              "system (absent if it cannot say).");
  if (m.disk_free_bytes) text.sample({}, static_cast<double>(*m.disk_free_bytes));
}

}  // namespace

GracelandMetrics read_metrics(GracelandServer& server) {
  const SegmentStore& store = server.store();
  GracelandMetrics m;
  m.server = server.stats();
  m.open_connections = server.open_connections();
  m.store = store.stats();
  m.stored_bytes = store.stored_bytes();
  m.segments = store.segment_count();
  m.accounts = store.account_count();
  m.open_writers = store.open_writers();
  // The daemon passes "none" as UINT64_MAX (SegmentStoreOptions): shown as 0.
  const uint64_t max = store.options().max_store_bytes;
  m.max_store_bytes = max == UINT64_MAX ? 0 : max;
  m.disk_reserve_bytes = store.options().disk_reserve_bytes;
  Result<uint64_t> free = server.disk_free_bytes();
  if (free.ok()) m.disk_free_bytes = *free;
  return m;
}

std::string render_graceland_metrics(const GracelandMetrics& metrics) {
  MetricsText text;
  render_traffic(metrics, text);
  render_refusals(metrics, text);
  render_store(metrics, text);
  return text.text();
}

}  // namespace lj::graceland
