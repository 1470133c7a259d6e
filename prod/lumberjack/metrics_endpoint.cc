#include "prod/lumberjack/metrics_endpoint.h"

#include <cmath>

namespace lj::lumberjack {

namespace {

constexpr size_t kMaxRequestBytes = 8192;

std::string response(std::string_view status, std::string_view content_type,
                     std::string_view body) {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         std::string(body);
}

void metric(std::string& out, const char* name, const char* type, const char* help,
            uint64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + std::to_string(value) + "\n";
}

}  // namespace

std::string render_metrics(const LumberjackStatus& status) {
  std::string out;
  metric(out, "lumberjack_connected", "gauge", "1 while the ZooKeeper session is live.",
         status.connected);
  metric(out, "lumberjack_master", "gauge", "1 while this node is the master.", status.master);
  metric(out, "lumberjack_sessions_total", "counter", "ZooKeeper sessions opened.",
         status.sessions);
  metric(out, "lumberjack_customers_assigned", "gauge", "Customers this worker delivers.",
         status.customers.size());
  metric(out, "lumberjack_files_published_total", "counter", "Log files committed and published.",
         status.files_published);
  metric(out, "lumberjack_events_published_total", "counter", "Events in published log files.",
         status.events_published);
  metric(out, "lumberjack_publish_conflicts_total", "counter",
         "ALARM: a published name already held other contents than the committed file (never "
         "overwritten).",
         status.publish_conflicts);
  metric(out, "lumberjack_files_rebuilt_total", "counter",
         "Committed files whose staged object was lost, written again from the PoPs' records.",
         status.files_rebuilt);
  metric(out, "lumberjack_files_unrecoverable_total", "counter",
         "ALARM: committed files lost before publication whose records the PoPs no longer hold.",
         status.files_unrecoverable);
  metric(out, "lumberjack_dedupe_ids_given_up_total", "counter",
         "ALARM: ids taken as delivered to keep a checkpoint bounded (a stream with more holes "
         "than its window); "
         "any that arrive later are dropped.",
         status.dedupe_ids_given_up);
  metric(out, "lumberjack_dedupe_streams_forgotten_total", "counter",
         "Streams dropped from dedupe state: idle past the horizon, or over the per-customer cap "
         "(ALARM if the "
         "first counter grew too).",
         status.dedupe_streams_forgotten);
  metric(out, "lumberjack_checkpoint_commits_total", "counter",
         "Checkpoints committed to ZooKeeper (one fenced multi each).", status.checkpoint_commits);
  metric(out, "lumberjack_checkpoint_bytes_total", "counter",
         "Bytes of the checkpoints committed to ZooKeeper.", status.checkpoint_bytes);
  metric(
      out, "lumberjack_files_pushed_total", "counter",
      "Published files customers' push destinations acknowledged (repeats after a doubt included).",
      status.files_pushed);
  metric(out, "lumberjack_push_failures_total", "counter",
         "Pushes and their reads that failed (each retried).", status.push_failures);
  metric(out, "lumberjack_push_files_missed_total", "counter",
         "ALARM: files retention removed before they could be pushed (named in the log).",
         status.push_files_missed);
  metric(out, "lumberjack_push_destinations_failing", "gauge",
         "Customers whose push destination is failing now (its last push failed).",
         status.push_destinations_failing);
  metric(out, "lumberjack_push_lag_files", "gauge",
         "Published files customers' push destinations do not have yet, summed over this worker's "
         "customers.",
         status.push_lag_files);
  metric(
      out, "lumberjack_push_lag_seconds_max", "gauge",
      "How long the customer furthest behind has lagged at its push destination (whole seconds).",
      static_cast<uint64_t>(status.push_lag_seconds_max));
  metric(out, "lumberjack_assignment_changes_total", "counter", "Assignments written as master.",
         status.assignment_changes);
  metric(out, "lumberjack_balance_moves_total", "counter",
         "Customers moved between live workers for load, as master (a subset of the assignment "
         "changes).",
         status.balance_moves);
  metric(out, "lumberjack_load_events_per_s", "gauge",
         "Events/s of this worker's customers as last reported to the master (whole events/s).",
         static_cast<uint64_t>(std::llround(status.load_events_per_s)));
  metric(out, "lumberjack_pop_connections", "gauge",
         "Connections open to Graceland PoPs: at most one per PoP, shared by every customer.",
         status.pop_connections);
  metric(out, "lumberjack_pop_round_trips_total", "counter",
         "Reads sent to Graceland PoPs, each carrying the reads of many customers.",
         status.pop_round_trips);
  metric(out, "lumberjack_min_roll_age_ms", "gauge",
         "No file rolls by age before this: customers in the cluster / --checkpoint-budget (the "
         "cluster's ZooKeeper write budget).",
         static_cast<uint64_t>(
             std::chrono::duration_cast<std::chrono::milliseconds>(status.min_roll_age).count()));
  return out;
}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(Env env, const std::string& address,
                                                                std::function<std::string()> render,
                                                                std::map<std::string, Page> pages) {
  Result<std::unique_ptr<Listener>> listener = env.network.listen(address);
  if (!listener.ok()) return listener.error();
  std::unique_ptr<MetricsEndpoint> endpoint(
      new MetricsEndpoint(env, std::move(*listener), std::move(render), std::move(pages)));
  env.executor.spawn(endpoint->accept_loop());
  return endpoint;
}

Task<void> MetricsEndpoint::accept_loop() {
  while (true) {
    Result<std::unique_ptr<Connection>> connection = co_await listener_->accept();
    if (!connection.ok()) {
      if (connection.code() == ErrorCode::kCancelled) co_return;
      continue;
    }
    connections_.start(answer(std::move(*connection)));
  }
}

Task<void> MetricsEndpoint::answer(std::unique_ptr<Connection> connection) {
  std::string request;
  char buffer[1024];
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (request.size() > kMaxRequestBytes) {
      const std::string reply =
          response("431 Request Header Fields Too Large", "text/plain", "request too large\n");
      (void)co_await write_all(*connection, std::as_bytes(std::span(reply)));
      co_return;
    }
    Result<size_t> got = co_await connection->read_some(std::as_writable_bytes(std::span(buffer)));
    if (!got.ok() || *got == 0) co_return;
    request.append(buffer, *got);
  }
  std::string reply;
  const size_t path_end = request.find(' ', 4);
  const std::string path = request.starts_with("GET ") && path_end != std::string::npos
                               ? request.substr(4, path_end - 4)
                               : "";
  auto page = pages_.find(path);
  if (path == "/metrics" || path == "/") {
    reply = response("200 OK", "text/plain; version=0.0.4", render_());
  } else if (page != pages_.end()) {
    reply = response("200 OK", page->second.content_type, page->second.render());
  } else if (request.starts_with("GET ")) {
    std::string paths = "/metrics";
    for (const auto& [known, unused] : pages_) paths += " " + known;
    reply = response("404 Not Found", "text/plain", "try " + paths + "\n");
  } else {
    reply = response("405 Method Not Allowed", "text/plain", "GET only\n");
  }
  (void)co_await write_all(*connection, std::as_bytes(std::span(reply)));
}

}  // namespace lj::lumberjack
