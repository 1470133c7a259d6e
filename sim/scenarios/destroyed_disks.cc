#include "sim/scenarios/destroyed_disks.h"

#include "prod/event/event_record.h"
#include "prod/graceland/segment_format.h"
#include "prod/graceland/segment_store.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/zk_layout.h"
#include "sim/scenarios/segment_events.h"

namespace lj::sim {

void DestroyedDisks::note(const std::string& pop, const SimDisk& disk) {
  const std::map<std::string, std::string> contents = disk.contents();
  // The store on this disk: a checkpoint's position on this PoP means something here only if
  // it was read from this store (or from a store not known, which readers adopt).
  uint64_t store_id = 0;
  for (const auto& [path, data] : contents) {
    if (path.substr(path.rfind('/') + 1) != graceland::kStoreIdFileName) continue;
    if (Result<uint64_t> id = graceland::decode_store_id_file(data); id.ok()) store_id = *id;
  }
  for (const auto& [path, data] : contents) note_segment(pop, path, data, store_id, undelivered_);
}

void DestroyedDisks::note_expired(const std::string& pop, const SimDisk& disk,
                                  const std::string& path) {
  const Inode* segment = disk.find(path);
  if (segment == nullptr) return;
  uint64_t store_id = 0;
  if (const Inode* id_file =
          disk.find(parent_dir(path) + "/" + std::string(graceland::kStoreIdFileName))) {
    if (Result<uint64_t> id = graceland::decode_store_id_file(id_file->data); id.ok())
      store_id = *id;
  }
  note_segment(pop, path, segment->data, store_id, expired_);
}

graceland::Position DestroyedDisks::committed_position(const std::string& pop,
                                                       const std::string& account,
                                                       uint64_t store_id) const {
  const std::optional<NodeData> node = zookeeper_.peek(lumberjack::ZkLayout{}.checkpoint(account));
  if (!node) return {};
  Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node->data);
  if (!checkpoint.ok()) return {};
  auto at = checkpoint->pops.find(pop);
  // A cursor in another store (one this PoP had before) has delivered nothing of this one.
  if (at == checkpoint->pops.end() || (at->second.store_id != 0 && at->second.store_id != store_id))
    return {};
  return at->second.position;
}

void DestroyedDisks::note_segment(const std::string& pop, const std::string& path,
                                  const std::string& data, uint64_t store_id,
                                  std::set<EventId>& into) const {
  std::string account;
  uint32_t index = 0;
  if (!parse_segment_path(path, account, index)) return;
  // Where this customer's delivery stands on this PoP: records before it are delivered.
  const graceland::Position committed = committed_position(pop, account, store_id);
  for_each_segment_event(data, 0, [&](size_t offset, const EventId& id) {
    if (graceland::Position{index, offset} >= committed) into.insert(id);
  });
}

void DestroyedDisks::forget_survivors(const std::vector<const SimDisk*>& surviving) {
  if (undelivered_.empty()) return;
  for (const SimDisk* disk : surviving) {
    for (const auto& [path, data] : disk->contents()) {
      std::string account;
      uint32_t index = 0;
      if (!parse_segment_path(path, account, index)) continue;
      // Only what the store will serve counts: its durable bytes (a sealed segment's tail past a
      // failed fsync, or an unsynced one, is never read, and a power loss may take it).
      const std::optional<SimDisk::DurableFile> durable = disk->durable_file(path);
      if (!durable) continue;
      for_each_segment_event(durable->bytes, 0,
                             [this](size_t, const EventId& id) { undelivered_.erase(id); });
    }
  }
}

}  // namespace lj::sim
