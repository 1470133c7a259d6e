#include "prod/lumberjack/cluster_status.h"

#include "prod/logfile/json_lines_writer.h"

namespace lj {
namespace {

void json_string(std::string_view value, std::string& out) {
  append_json_text(value, out);
}

template <typename T>
void json_optional(const std::optional<T>& value, std::string& out) {
  if (!value) {
    out += "null";
  } else if constexpr (std::is_same_v<T, std::string>) {
    json_string(*value, out);
  } else {
    out += std::to_string(*value);
  }
}

void json_strings(const std::vector<std::string>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    json_string(values[i], out);
  }
  out += ']';
}

void json_customer(const CustomerState& c, std::string& out) {
  out += "{\"account\":";
  json_string(c.account, out);
  out += ",\"worker\":";
  json_optional(c.worker, out);
  out += ",\"problem\":";
  json_optional(c.problem.empty() ? std::nullopt : std::optional<std::string>(c.problem), out);
  out += ",\"files\":" + std::to_string(c.files) +
         ",\"checkpoint_bytes\":" + std::to_string(c.checkpoint_bytes);
  out += ",\"pops\":{";
  for (size_t i = 0; i < c.pops.size(); ++i) {
    if (i > 0) out += ',';
    json_string(c.pops[i].first, out);
    out += ':';
    json_string(c.pops[i].second, out);
  }
  out += "},\"push\":";
  if (!c.push) {
    out += "null}";
    return;
  }
  out += "{\"url\":";
  json_string(c.push->url, out);
  out += ",\"pushed_through\":";
  json_optional(c.push->pushed_through, out);
  out += ",\"lag_files\":";
  json_optional(c.push->lag_files, out);
  out += ",\"failing\":";
  json_optional(c.push->failing, out);
  out += c.push->confirmed ? ",\"confirmed\":true" : ",\"confirmed\":false";
  out += c.push->challenge_written ? ",\"challenge_written\":true}}"
                                   : ",\"challenge_written\":false}}";
}

}  // namespace

std::string push_text(const PushState& push) {
  std::string out = " push=" + push.url;
  if (!push.pushed_through) out += " pushed_through=none";
  if (push.pushed_through) out += " pushed_through=" + std::to_string(*push.pushed_through);
  if (push.lag_files) out += " push_lag_files=" + std::to_string(*push.lag_files);
  if (!push.confirmed) {
    out += push.challenge_written
               ? " AWAITING CONFIRMATION (its ownership check is there: lj ctl confirm-push)"
               : " AWAITING CONFIRMATION (its ownership check is not written yet)";
  }
  if (push.failing) out += " PUSH FAILING: " + *push.failing;
  return out;
}

std::string status_text(const ClusterStatus& status) {
  std::string out = "master: " + status.master.value_or("(none)") + "\nworkers:";
  for (const std::string& worker : status.workers) out += " " + worker;
  out += "\nload (events/s):";
  for (const WorkerLoad& load : status.loads) {
    out += " " + load.worker + "=";
    if (!load.events_per_s) out += "(unreadable)";
    if (load.events_per_s)
      out +=
          std::to_string(*load.events_per_s) + "(" + std::to_string(load.customers) + " customers)";
  }
  out += std::string(status.loads.empty() ? " (none)" : "") + "\ndrained:";
  for (const std::string& node : status.drained) out += " " + node;
  out += std::string(status.drained.empty() ? " (none)" : "") + "\ngracelands:";
  for (const GracelandState& pop : status.gracelands) {
    out += " " + pop.pop + "=" + pop.address;
    if (pop.unreachable) out += "(unreachable: " + *pop.unreachable + ")";
  }
  out += "\n";
  for (const CustomerState& c : status.customers) {
    out += "customer " + c.account + ": worker=" + c.worker.value_or("(unassigned)");
    if (!c.problem.empty()) {
      out += " " + c.problem + "\n";
      continue;
    }
    out += " files=" + std::to_string(c.files) +
           " checkpoint=" + std::to_string(c.checkpoint_bytes) + "B";
    for (const auto& [pop, state] : c.pops) out += " " + pop + ":" + state;
    if (c.push) out += push_text(*c.push);
    out += "\n";
  }
  return out;
}

std::string status_json(const ClusterStatus& status) {
  std::string out = "{\"master\":";
  json_optional(status.master, out);
  out += ",\"workers\":";
  json_strings(status.workers, out);
  out += ",\"loads\":[";
  for (size_t i = 0; i < status.loads.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"worker\":";
    json_string(status.loads[i].worker, out);
    out += ",\"events_per_s\":";
    json_optional(status.loads[i].events_per_s, out);
    out += ",\"customers\":" + std::to_string(status.loads[i].customers) + "}";
  }
  out += "],\"drained\":";
  json_strings(status.drained, out);
  out += ",\"gracelands\":[";
  for (size_t i = 0; i < status.gracelands.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"pop\":";
    json_string(status.gracelands[i].pop, out);
    out += ",\"address\":";
    json_string(status.gracelands[i].address, out);
    out += ",\"unreachable\":";
    json_optional(status.gracelands[i].unreachable, out);
    out += "}";
  }
  out += "],\"customers\":[";
  for (size_t i = 0; i < status.customers.size(); ++i) {
    if (i > 0) out += ',';
    json_customer(status.customers[i], out);
  }
  out += "]}\n";
  return out;
}

}  // namespace lj
