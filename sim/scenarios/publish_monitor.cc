#include "sim/scenarios/publish_monitor.h"

#include <algorithm>
#include <utility>

#include "prod/logfile/log_file_reader.h"
#include "sim/scenarios/object_names.h"
#include "sim/scenarios/parsed_keys.h"
#include "sim/sim_node.h"

namespace lj::sim {

PublishMonitor::PublishMonitor(Simulation& simulation, SimObjectStore& store,
                               std::vector<audit::AuditedCustomer> customers,
                               EverDurable ever_durable, Excused excused)
    : simulation_(simulation),
      customers_(std::move(customers)),
      ever_durable_(std::move(ever_durable)),
      excused_(std::move(excused)) {
  store.add_change_watcher([this](const SimObjectStore::Change& change) { judge(change); });
}

void PublishMonitor::report(NodeId node, const std::string& what) {
  if (!problem_.empty()) return;
  const std::string who = node == kNoNode ? "?" : std::string(simulation_.node(node).name());
  problem_ = "publish monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
             " ms: " + who + " " + what;
  simulation_.trace(node, "MONITOR: " + problem_);
}

void PublishMonitor::judge(const SimObjectStore::Change& change) {
  using Kind = SimObjectStore::ChangeKind;
  // (A bucket's second copy of the same bytes publishes nothing new.)
  if (change.kind == Kind::kRemove || change.same_as_before || !problem_.empty()) return;
  const std::string& written = change.written();
  const std::optional<LogFileName> name = published_file(written);
  if (!name) return;
  auto customer = std::find_if(
      customers_.begin(), customers_.end(),
      [&](const audit::AuditedCustomer& c) { return c.account_id == name->account_id; });
  if (customer == customers_.end()) return;  // not a customer of this world: the audit's to judge
  ++files_judged_;
  Result<DecodedLogFile> decoded = read(change.contents, customer->private_key_pem);
  if (!decoded.ok()) {
    report(change.node, "published " + written +
                            ", which its customer cannot read: " + decoded.error().to_string());
    return;
  }
  Publication& publication =
      publications_.try_emplace(written, Publication{simulation_.now_ns(), {}}).first->second;
  for (const AttackEvent& event : decoded->events) {
    published_.insert(event.id);
    publication.events.push_back(event.id);
    if (ever_durable_(event.id)) continue;
    if (excused_ && excused_(event.id)) {
      ++excused_count_;
      continue;
    }
    report(change.node,
           "published " + written + " holding event " + id_text(event.id) +
               ", which no PoP has ever held durably: read before its fsync (a power loss can "
               "still take it, unacknowledged)");
    return;
  }
  decoded_.insert_or_assign(written, Decoded{change.contents, std::move(*decoded)});
}

Result<DecodedLogFile> PublishMonitor::read(std::string_view contents, const std::string& pem) {
  if (pem.empty()) return read_log_file(contents, nullptr);
  const std::shared_ptr<const RsaPrivateKey> key = parsed_private_key(pem);
  return key ? read_log_file(contents, key.get()) : read_log_file(contents, pem);
}

Result<DecodedLogFile> PublishMonitor::take_decoded(const std::string& object,
                                                    std::string_view contents,
                                                    const std::string& private_key_pem) {
  auto it = decoded_.find(object);
  if (it == decoded_.end() || it->second.contents != contents)
    return read(contents, private_key_pem);
  DecodedLogFile decoded = std::move(it->second.file);
  decoded_.erase(it);
  return decoded;
}

}  // namespace lj::sim
