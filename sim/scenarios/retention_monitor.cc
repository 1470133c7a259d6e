#include "sim/scenarios/retention_monitor.h"

#include "prod/graceland/segment_format.h"
#include "prod/graceland/segment_store.h"

namespace lj::sim {

namespace {

// "segments/1001.0000000003.seg" -> ("segments/1001.", 3). False for any other name.
bool split_segment_path(const std::string& path, std::string& prefix, uint32_t& index) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.find('.', slash == std::string::npos ? 0 : slash + 1);
  if (dot == std::string::npos) return false;
  prefix = path.substr(0, dot + 1);
  return graceland::parse_segment_file_name(std::string_view(path).substr(dot + 1), index);
}

}  // namespace

void RetentionMonitor::watch(SimNode& node, const std::string& pop) {
  node.disk().set_remove_observer(
      [this, &node, pop](const std::string& path) { removing(node, pop, path); });
}

void RetentionMonitor::removing(SimNode& node, const std::string& pop, const std::string& path) {
  std::string prefix;
  uint32_t index = 0;
  if (!split_segment_path(path, prefix, index)) return;
  ++removals_;
  const SimDisk& disk = node.disk();
  // Its successor: the customer's next segment on this disk.
  const Inode* successor = nullptr;
  for (uint32_t next = index + 1; next <= index + 1000 && successor == nullptr; ++next) {
    successor = disk.find(prefix + graceland::segment_file_name(next));
  }
  const int64_t now = simulation_.now_ns();
  const auto allowed = static_cast<int64_t>(static_cast<double>(retention_ns_) * 0.998);
  if (successor == nullptr || now - successor->created_ns < allowed) {
    if (problem_.empty()) {
      const std::string age = successor == nullptr
                                  ? std::string("no successor")
                                  : "its successor made " +
                                        std::to_string((now - successor->created_ns) / 1'000'000) +
                                        " ms ago";
      problem_ =
          "retention monitor at " + std::to_string(now / 1'000'000) + " ms: " + pop + " removed " +
          path + " (" + age + ", retention " + std::to_string(retention_ns_ / 1'000'000) +
          " ms): acknowledged records removed before they were kept for the retention period";
      simulation_.trace(node.id(), "MONITOR: " + problem_);
    }
    return;
  }
  if (expired_) expired_(pop, disk, path);
}

}  // namespace lj::sim
