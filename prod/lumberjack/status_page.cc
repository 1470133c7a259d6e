#include "prod/lumberjack/status_page.h"

#include <ctime>

#include "prod/lumberjack/cluster_status_reader.h"

namespace lj::lumberjack {
namespace {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string utc_text(int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string cell(std::string_view text, std::string_view css_class = "") {
  if (css_class.empty()) return "<td>" + escape(text) + "</td>";
  return "<td class=\"" + std::string(css_class) + "\">" + escape(text) + "</td>";
}

// The push column: where, how far, and whether it works.
std::string push_cell(const std::optional<PushState>& push) {
  if (!push) return cell("-");
  std::string text = push->url;
  if (push->pushed_through) text += " | through file " + std::to_string(*push->pushed_through);
  if (push->lag_files) text += " | " + std::to_string(*push->lag_files) + " files behind";
  std::string css;
  if (!push->confirmed) {
    text += push->challenge_written ? " | AWAITING CONFIRMATION (check written)"
                                    : " | AWAITING CONFIRMATION";
    css = "warn";
  }
  if (push->failing) {
    text += " | FAILING: " + *push->failing;
    css = "bad";
  }
  return cell(text, css);
}

std::string customers_table(const ClusterStatus& status) {
  std::string out =
      "<table "
      "id=\"customers\"><tr><th>customer</th><th>worker</th><th>files</th><th>checkpoint</th>"
      "<th>lag per PoP</th><th>push</th></tr>\n";
  for (const CustomerState& c : status.customers) {
    std::string lag;
    bool behind = false;
    for (const auto& [pop, state] : c.pops) {
      if (!lag.empty()) lag += ", ";
      lag += pop + ": " + state;
      behind = behind || state != "caught-up";
    }
    out += "<tr data-account=\"" + escape(c.account) + "\">" + cell(c.account) +
           cell(c.worker.value_or("UNASSIGNED"), c.worker ? "" : "bad") +
           (c.problem.empty() ? "<td class=\"files\">" + std::to_string(c.files) + "</td>"
                              : cell(c.problem, "warn")) +
           cell(std::to_string(c.checkpoint_bytes) + " B") +
           cell(lag.empty() ? "-" : lag, behind ? "warn" : "") + push_cell(c.push) + "</tr>\n";
  }
  return out + "</table>\n";
}

std::string nodes_section(const ClusterStatus& status) {
  std::string out =
      "<p>master: <b id=\"master\">" + escape(status.master.value_or("NONE")) + "</b></p>\n";
  out += "<table id=\"workers\"><tr><th>worker</th><th>events/s</th><th>customers</th></tr>\n";
  for (const std::string& worker : status.workers) {
    std::string rate = "-", customers = "-";
    for (const WorkerLoad& load : status.loads) {
      if (load.worker != worker) continue;
      rate = load.events_per_s ? std::to_string(*load.events_per_s) : "UNREADABLE";
      customers = std::to_string(load.customers);
    }
    out += "<tr>" + cell(worker) + cell(rate) + cell(customers) + "</tr>\n";
  }
  out += "</table>\n";
  if (!status.drained.empty()) {
    std::string drained;
    for (const std::string& node : status.drained) drained += (drained.empty() ? "" : ", ") + node;
    out += "<p>drained: " + escape(drained) + "</p>\n";
  }
  out += "<table id=\"gracelands\"><tr><th>PoP</th><th>Graceland</th><th>state</th></tr>\n";
  for (const GracelandState& g : status.gracelands) {
    out +=
        "<tr>" + cell(g.pop) + cell(g.address) +
        cell(g.unreachable ? "UNREACHABLE: " + *g.unreachable : "ok", g.unreachable ? "bad" : "") +
        "</tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string status_html(const ClusterStatus& status, const std::string& node, int64_t read_at_ms,
                        int refresh_s) {
  size_t failing = 0, awaiting = 0;
  for (const CustomerState& c : status.customers) {
    if (c.push && c.push->failing) ++failing;
    if (c.push && !c.push->confirmed) ++awaiting;
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
         "content=\"" +
         std::to_string(refresh_s) +
         "\"><title>Lumberjack status</title>\n<style>"
         "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:0.8em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eee}"
         "#customers td:not(:last-child){white-space:nowrap}"
         ".bad{background:#f8d0d0}.warn{background:#fbf0c8}</style></head><body>\n"
         "<h1>Lumberjack</h1>\n<p>read by node <b>" +
         escape(node) + "</b> at <span id=\"read-at\">" + utc_text(read_at_ms) +
         "</span>; this page refreshes every " + std::to_string(refresh_s) +
         " s (also as JSON: <a href=\"/status.json\">/status.json</a>)</p>\n<p id=\"summary\">" +
         std::to_string(status.customers.size()) + " customers, " +
         std::to_string(status.workers.size()) + " workers, " +
         std::to_string(status.gracelands.size()) +
         " PoPs; pushes failing: " + std::to_string(failing) +
         ", awaiting confirmation: " + std::to_string(awaiting) + "</p>\n" + nodes_section(status) +
         "<h2>Customers</h2>\n" + customers_table(status) + "</body></html>\n";
}

StatusPage::StatusPage(Env env, Coordinator& coordinator, ZkLayout layout, std::string node,
                       Duration refresh)
    : env_(env),
      coordinator_(coordinator),
      layout_(std::move(layout)),
      node_(std::move(node)),
      refresh_(refresh) {}

std::string StatusPage::html() {
  watched_at_ = env_.clock.monotonic_now();
  if (!html_.empty()) return html_;
  return "<!DOCTYPE html>\n<html><head><meta http-equiv=\"refresh\" "
         "content=\"1\"><title>Lumberjack status</title>"
         "</head><body><p>Reading the cluster...</p></body></html>\n";
}

std::string StatusPage::json() {
  watched_at_ = env_.clock.monotonic_now();
  return json_.empty() ? "{}\n" : json_;
}

Task<void> StatusPage::run() {
  Duration last_read{-1};
  while (!stopping_) {
    const Duration now = env_.clock.monotonic_now();
    const bool watched = watched_at_ >= Duration(0) && now - watched_at_ < std::chrono::minutes(1);
    if (watched && (last_read < Duration(0) || now - last_read >= refresh_)) {
      last_read = now;
      co_await read_once();
    }
    if (!watched && session_) co_await close_session();  // nobody looking: no session either
    co_await env_.clock.sleep_for(std::chrono::milliseconds(250));
  }
  if (session_) co_await close_session();
}

Task<void> StatusPage::close_session() {
  co_await session_->close();
  session_.reset();
}

Task<void> StatusPage::read_once() {
  if (!session_) {
    auto session =
        co_await coordinator_.connect(std::chrono::seconds(10), std::chrono::seconds(10));
    if (!session.ok()) co_return;  // tried again at the next refresh
    session_ = std::move(*session);
  }
  const ClusterStatus status = co_await read_cluster_status(*session_, env_, layout_, node_);
  if (!status.master && status.workers.empty() && status.customers.empty()) {
    co_await close_session();  // nothing read: a session gone bad is opened afresh next time
  }
  html_ = status_html(status, node_, env_.clock.wall_now_ms(),
                      static_cast<int>(std::max<int64_t>(
                          1, std::chrono::duration_cast<std::chrono::seconds>(refresh_).count())));
  json_ = status_json(status);
}

}  // namespace lj::lumberjack
