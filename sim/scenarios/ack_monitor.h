#pragma once
// AckMonitor: the checker's watch on acknowledgements. At the instant a proxy hears that a
// Graceland acknowledged an event, the event must be durable on some PoP: held in a segment
// whose bytes a sync made durable, under a name a directory sync made durable - what a power
// loss at that instant would leave (SimDisk::durable_file), not what the page cache holds now.
// It reads a file's newly durable bytes the moment they become durable (SimDisk's durable
// observer), from where it stopped in it: a file that retention or a destroyed disk takes
// before the acknowledgement arrives was still read while it was there. An acknowledgement sent
// before its fsync completed, after a failed one, or before its segment's directory entry was
// synced is caught at that step, whether or not a power loss later happens to take the record.
//
// Once durable, an event stays counted (a later crash cannot un-acknowledge it; losing it then
// is the end-state checker's to judge). `excused` names events whose disk a destroyed-disk
// fault took (a fault the design does not survive).

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "sim/sim_disk.h"
#include "sim/simulation.h"

namespace lj::sim {

class AckMonitor {
 public:
  // Takes each disk's durable observer. REQUIRES: the disks outlive the monitor's use.
  AckMonitor(Simulation& simulation, std::vector<SimDisk*> pop_disks);
  void excuse_with(std::function<bool(const EventId&)> excused) { excused_ = std::move(excused); }

  // A proxy heard its event `id` acknowledged, now.
  void on_acknowledged(const EventId& id);

  // Whether some PoP has held the event durably at any instant up to now.
  bool ever_durable(const EventId& id) const { return durable_.contains(id); }
  // Whether the event lies, on some PoP, in pages a failed fsync dropped: marked clean after
  // the EIO and still in the page cache. A Graceland whose process was killed after that
  // finds the records whole, and its fsync of them says ok - the error went to the process
  // that died (fsyncgate across a restart) - so it serves them though no disk holds them. They
  // were never acknowledged; a power loss takes them back. (Reads the PoPs' files: call it
  // only for an event already found never durable.)
  // Also true for such an event whose pages a power loss has zeroed since: what a pipeline read
  // before the power loss it may publish after it.
  bool in_dropped_pages(const EventId& id) const;

  // The first acknowledgement of an event not durable anywhere, or "".
  const std::string& problem() const { return problem_; }
  uint64_t acks_judged() const { return acks_judged_; }

 private:
  // Records the events of segment `path` that lie in [from, to): pages a failed fsync dropped,
  // which a power loss is zeroing.
  void note_dropped(const std::string& path, std::string_view bytes, size_t from, size_t to);
  // Reads what became durable of the file `path` on disk `d`.
  void read_newly_durable(size_t d, const std::string& path);

  Simulation& simulation_;
  std::vector<SimDisk*> disks_;
  // Per disk and segment: which file of that name (its creation time) and how far its durable
  // bytes have been read.
  struct Read {
    int64_t created_ns = -1;
    size_t upto = 0;
  };
  std::vector<std::map<std::string, Read>> read_;
  std::set<EventId> durable_;
  std::set<EventId>
      dropped_;  // held in pages a failed fsync dropped, when a power loss zeroed them
  std::function<bool(const EventId&)> excused_;
  uint64_t acks_judged_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
