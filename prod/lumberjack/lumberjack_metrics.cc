#include "prod/lumberjack/lumberjack_metrics.h"

#include <cmath>

#include "prod/http/metrics_text.h"

namespace lj::lumberjack {

namespace {

// Whole milliseconds, in seconds: what an alert threshold needs, in a short sample.
double seconds_of(Duration d) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) /
         1000;
}

void render_roles(const LumberjackStatus& status, MetricsText& text) {
  text.gauge("lumberjack_connected", "1 while the ZooKeeper session is live.", status.connected);
  text.gauge("lumberjack_master", "1 while this node is the master.", status.master);
  text.counter("lumberjack_sessions_total", "ZooKeeper sessions opened.", status.sessions);
  text.gauge("lumberjack_customers_assigned", "Customers this worker delivers.",
             static_cast<double>(status.customers.size()));
  text.counter("lumberjack_assignment_changes_total", "Assignments written as master.",
               status.assignment_changes);
  text.counter("lumberjack_balance_moves_total",
               "Customers moved between live workers for load, as master (a subset of the "
               "assignment changes).",
               status.balance_moves);
  text.gauge("lumberjack_load_events_per_s",
             "Events/s of this worker's customers as last reported to the master (whole "
             "events/s).",
             static_cast<double>(std::llround(status.load_events_per_s)));
  text.counter("lumberjack_pipelines_fenced_total",
               "Customer pipelines stopped because the fence refused them: the assignment moved, "
               "the customer changed or the session ended (a few per move; a storm when "
               "ownership flaps).",
               status.pipelines_fenced);
}

void render_publishing(const LumberjackStatus& status, MetricsText& text) {
  text.counter("lumberjack_files_published_total", "Log files committed and published.",
               status.files_published);
  text.counter("lumberjack_events_published_total", "Events in published log files.",
               status.events_published);
  text.counter("lumberjack_publish_conflicts_total",
               "ALARM: a published name already held other contents than the committed file "
               "(never overwritten).",
               status.publish_conflicts);
  text.counter("lumberjack_files_rebuilt_total",
               "Committed files whose staged object was lost, written again from the PoPs' "
               "records.",
               status.files_rebuilt);
  text.counter("lumberjack_files_unrecoverable_total",
               "ALARM: committed files lost before publication whose records the PoPs no longer "
               "hold.",
               status.files_unrecoverable);
  text.counter("lumberjack_dedupe_ids_given_up_total",
               "ALARM: ids taken as delivered to keep a checkpoint bounded (a stream with more "
               "holes than its window); any that arrive later are dropped.",
               status.dedupe_ids_given_up);
  text.counter("lumberjack_dedupe_streams_forgotten_total",
               "Streams dropped from dedupe state: idle past the horizon, or over the "
               "per-customer cap (ALARM if the first counter grew too).",
               status.dedupe_streams_forgotten);
  text.counter("lumberjack_checkpoint_commits_total",
               "Checkpoints committed to ZooKeeper (one fenced multi each).",
               status.checkpoint_commits);
  text.counter("lumberjack_checkpoint_bytes_total",
               "Bytes of the checkpoints committed to ZooKeeper.", status.checkpoint_bytes);
  text.gauge(
      "lumberjack_min_roll_age_ms",
      "No file rolls by age before this: customers in the cluster / --checkpoint-budget "
      "(the cluster's ZooKeeper write budget).",
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::milliseconds>(status.min_roll_age).count()));
}

void render_push(const LumberjackStatus& status, MetricsText& text) {
  text.counter("lumberjack_files_pushed_total",
               "Published files customers' push destinations acknowledged (repeats after a doubt "
               "included).",
               status.files_pushed);
  text.counter("lumberjack_push_failures_total",
               "Pushes and their reads that failed (each retried).", status.push_failures);
  text.counter("lumberjack_push_files_missed_total",
               "ALARM: files retention removed before they could be pushed (named in the log).",
               status.push_files_missed);
  text.gauge("lumberjack_push_destinations_failing",
             "Customers whose push destination is failing now (its last push failed).",
             static_cast<double>(status.push_destinations_failing));
  text.gauge("lumberjack_push_lag_files",
             "Published files customers' push destinations do not have yet, summed over this "
             "worker's customers.",
             static_cast<double>(status.push_lag_files));
  text.gauge("lumberjack_push_lag_seconds_max",
             "How long the customer furthest behind has lagged at its push destination (whole "
             "seconds).",
             std::floor(status.push_lag_seconds_max));
}

void render_pops(const LumberjackStatus& status, MetricsText& text) {
  text.gauge("lumberjack_pop_connections",
             "Connections open to Graceland PoPs: at most one per PoP, shared by every customer.",
             static_cast<double>(status.pop_connections));
  text.counter("lumberjack_pop_round_trips_total",
               "Reads sent to Graceland PoPs, each carrying the reads of many customers.",
               status.pop_round_trips);
  text.family("lumberjack_pop_up", MetricType::kGauge,
              "Per PoP in the directory this node reads: 1 if its last connection or read "
              "succeeded, 0 if it failed.");
  for (const auto& [pop, reachable] : status.pops_reachable) {
    text.sample({{"pop", pop}}, reachable ? 1 : 0);
  }
}

void render_customers(const std::vector<CustomerProgress>& customers, MetricsText& text) {
  text.family("lumberjack_customer_lag_seconds", MetricType::kGauge,
              "Per customer delivered here: how long the oldest event read from a PoP and not "
              "yet published has waited since it was read (0: caught up).");
  for (const CustomerProgress& c : customers) {
    text.sample({{"customer", std::to_string(c.account)}}, seconds_of(c.lag));
  }
  text.family("lumberjack_customer_roll_age_seconds", MetricType::kGauge,
              "Per customer delivered here: the age at which its files roll (its own, or the "
              "write budget's floor), the lag it sees in normal operation.");
  for (const CustomerProgress& c : customers) {
    text.sample({{"customer", std::to_string(c.account)}}, seconds_of(c.roll_age));
  }
}

}  // namespace

std::string render_metrics(const LumberjackStatus& status,
                           const std::vector<CustomerProgress>& customers) {
  MetricsText text;
  render_roles(status, text);
  render_publishing(status, text);
  render_push(status, text);
  render_pops(status, text);
  render_customers(customers, text);
  return text.text();
}

}  // namespace lj::lumberjack
