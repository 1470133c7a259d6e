#include "sim/scenarios/store_monitor.h"

#include <charconv>
#include <optional>
#include <utility>

#include "prod/logfile/log_file_format.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/staging_name.h"
#include "prod/lumberjack/zk_layout.h"
#include "sim/scenarios/object_names.h"
#include "sim/sim_node.h"

namespace lj::sim {

namespace {

// "staging/<account>_<config>/...": the account, and the customer's folder "<account>_<config>".
std::optional<std::pair<uint64_t, std::string>> staging_owner(const std::string& name) {
  const size_t start = std::string_view("staging/").size();
  const size_t slash = name.find('/', start);
  if (!is_staging(name) || slash == std::string::npos) return std::nullopt;
  const std::string folder = name.substr(start, slash - start);
  uint64_t account = 0;
  auto [end, ec] = std::from_chars(folder.data(), folder.data() + folder.size(), account);
  if (ec != std::errc() || end == folder.data() || *end != '_') return std::nullopt;
  return std::make_pair(account, folder);
}

}  // namespace

StoreMonitor::StoreMonitor(Simulation& simulation, SimObjectStore& store, SimZooKeeper& zookeeper)
    : simulation_(simulation), store_(store), zookeeper_(zookeeper) {
  store_.add_change_watcher([this](const SimObjectStore::Change& change) { judge(change); });
}

void StoreMonitor::report(NodeId node, const std::string& what) {
  if (!problem_.empty()) return;
  const std::string who = node == kNoNode ? "?" : std::string(simulation_.node(node).name());
  problem_ = "storage monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
             " ms: " + who + " " + what;
  simulation_.trace(node, "MONITOR: " + problem_);
}

void StoreMonitor::judge(const SimObjectStore::Change& change) {
  ++changes_judged_;
  using Kind = SimObjectStore::ChangeKind;
  const std::string& written = change.written();
  if (change.kind != Kind::kRemove) {
    if (is_staging(written) && !staging_names_written_.insert(written).second) {
      report(change.node,
             "wrote staging name " + written + " a second time: two upload attempts share it");
    }
    if (published_file(written) && store_.objects().contains(written)) {
      const bool same = store_.objects().at(written) == change.contents;
      // A bucket's rename checks, then copies: two publishers of one committed file can both
      // copy it. Only the same bytes may land again.
      if (change.same_as_before) return;
      report(change.node, "replaced published " + written +
                              (same ? " (same contents)" : " with other contents") +
                              ": a published name is written once");
    }
  }
  if ((change.kind == Kind::kRemove || change.kind == Kind::kRename) && is_staging(change.name)) {
    // A rename of the staged object to its published name is its publication.
    if (change.kind == Kind::kRemove || !published_file(change.to))
      judge_staging_removal(change.name, change.node);
  }
}

void StoreMonitor::judge_staging_removal(const std::string& name, NodeId node) {
  const std::optional<std::pair<uint64_t, std::string>> owner = staging_owner(name);
  if (!owner) return;
  const auto& [account, folder] = *owner;
  const std::optional<NodeData> node_data =
      zookeeper_.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
  if (!node_data) return;
  Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node_data->data);
  if (!checkpoint.ok()) return;  // the checkpoint monitor reports it
  if (checkpoint->last_file && checkpoint->last_file->staging_name == name &&
      !store_.objects().contains(folder + "/" +
                                 log_file_name(account, checkpoint->last_file->seq))) {
    report(node, "removed " + name + ", committed as file " +
                     std::to_string(checkpoint->last_file->seq) + ", before it was published");
    return;
  }
  const std::optional<lumberjack::StagingName> parsed = lumberjack::parse_staging_name(name);
  if (parsed && parsed->checkpoint_version >= node_data->version) {
    report(node, "removed " + name + ", staged against checkpoint version " +
                     std::to_string(parsed->checkpoint_version) +
                     " while the checkpoint is at version " + std::to_string(node_data->version) +
                     ": a commit could still name it");
  }
}

}  // namespace lj::sim
