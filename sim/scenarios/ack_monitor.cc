#include "sim/scenarios/ack_monitor.h"

#include "sim/scenarios/segment_events.h"

namespace lj::sim {

AckMonitor::AckMonitor(Simulation& simulation, std::vector<SimDisk*> pop_disks)
    : simulation_(simulation), disks_(std::move(pop_disks)), read_(disks_.size()) {
  for (size_t d = 0; d < disks_.size(); ++d) {
    disks_[d]->set_durable_observer(
        [this, d](const std::string& path) { read_newly_durable(d, path); });
    disks_[d]->set_dropped_observer([this](const std::string& path, std::string_view bytes,
                                           size_t from,
                                           size_t to) { note_dropped(path, bytes, from, to); });
  }
}

void AckMonitor::on_acknowledged(const EventId& id) {
  ++acks_judged_;
  if (durable_.contains(id) || !problem_.empty() || (excused_ && excused_(id))) return;
  problem_ = "ack monitor: at " + std::to_string(simulation_.now_ns() / 1'000'000) + " ms event " +
             std::to_string(id.proxy_id) + "/" + std::to_string(id.sequence) +
             " was acknowledged to its proxy, and no PoP holds it durably (a power loss now would "
             "lose it)";
}

void AckMonitor::read_newly_durable(size_t d, const std::string& path) {
  std::string account;
  uint32_t index = 0;
  if (!parse_segment_path(path, account, index)) return;
  const std::optional<SimDisk::DurableFile> durable = disks_[d]->durable_file(path);
  if (!durable) return;  // not yet: its name's or its directory's sync will say when it is
  Read& file = read_[d][path];
  // Another file of that name (after a destroyed disk), or this one cut back (a recovery's
  // truncation): read it from the start; events already counted stay counted.
  if (file.created_ns != durable->created_ns || file.upto > durable->bytes.size())
    file = Read{durable->created_ns, 0};
  file.upto = for_each_segment_event(durable->bytes, file.upto,
                                     [this](size_t, const EventId& id) { durable_.insert(id); });
}

void AckMonitor::note_dropped(const std::string& path, std::string_view bytes, size_t from,
                              size_t to) {
  std::string account;
  uint32_t index = 0;
  if (!parse_segment_path(path, account, index)) return;
  for_each_segment_event(bytes, 0, [&](size_t offset, const EventId& event) {
    if (offset >= from && offset < to) dropped_.insert(event);
  });
}

bool AckMonitor::in_dropped_pages(const EventId& id) const {
  if (dropped_.contains(id)) return true;  // a power loss took them since
  for (const SimDisk* disk : disks_) {
    for (const auto& [path, bytes] : disk->contents()) {
      std::string account;
      uint32_t index = 0;
      if (!parse_segment_path(path, account, index)) continue;
      const Inode* inode = disk->find(path);
      if (inode == nullptr || inode->lost.empty()) continue;
      bool dropped = false;
      for_each_segment_event(bytes, 0, [&](size_t offset, const EventId& event) {
        if (event != id) return;
        for (const auto& [from, to] : inode->lost)
          dropped = dropped || (offset >= from && offset < to);
      });
      if (dropped) return true;
    }
  }
  return false;
}

}  // namespace lj::sim
