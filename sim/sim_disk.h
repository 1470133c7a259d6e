#pragma once
// A node's simulated disk and the FileSystem view its processes use. Stricter than a real
// disk, never looser (see prod/io/files.h for the contract):
//  - File data is volatile until File::sync(); on power loss each file keeps its synced bytes
//    plus none, all, or an arbitrary prefix of the rest (a torn write), whose end may read as
//    zeros or garbage rather than be cut.
//  - A failed sync loses what was unsynced at that moment for good (fsyncgate): a later sync
//    returns ok, yet after a power loss those bytes read as zeros.
//  - Names are volatile until sync_dir() of their directory: on power loss the directory
//    reverts to its last synced entries, so a file created or renamed but not dir-synced
//    vanishes or comes back under its old name.
//  - Appends can fail with kIoError or kDiskFull after storing a prefix; syncs can fail with
//    kIoError and then guarantee nothing. Reads, creates, renames, removes, lists and mkdirs
//    fail with kIoError at the same rate (and then changed nothing). Sync latency is drawn
//    from the seed, heavy-tailed.
//  - Every operation takes drawn virtual time, and the node's process is blocked meanwhile (a
//    synchronous write() on an event loop blocks everything on it). A slow disk stalls single
//    operations for milliseconds to seconds.
//  - Power can go between any two operations (SimNode::arm_io_crash): from that instant no
//    operation of the node has any effect, and it fails with kIoError.
//  - A new directory is a name like any other: it survives a power loss only once its parent
//    was synced after it was made, and a directory that does not survive takes every file in
//    it along, synced or not.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prod/io/files.h"
#include "sim/simulation.h"

namespace lj::sim {

struct DiskFaults {
  double io_error_probability = 0;         // per append and per sync
  double sync_error_probability = 0;       // per sync, on top of io_error_probability
  uint64_t capacity_bytes = UINT64_MAX;    // appends past it fail with kDiskFull
  int64_t sync_latency_mean_ns = 500'000;  // exponential...
  double sync_spike_probability = 0.01;    // ...with rare heavy-tailed stalls
  int64_t sync_spike_scale_ns = 5'000'000;
  // Any other operation: a base latency, plus its bytes at `bytes_per_second` (page cache)...
  int64_t op_latency_mean_ns = 10'000;
  double bytes_per_second = 2e9;
  // ...and stalls (writeback throttling, a dying disk, a busy RAID rebuild): heavy-tailed,
  // at most 2 s each.
  double stall_probability = 0;
  int64_t stall_scale_ns = 20'000'000;
};

struct Inode {
  std::string data;
  size_t durable_size = 0;
  // Set when the file was truncated since its last sync: the durable content to return to.
  std::unique_ptr<std::string> durable_before_truncate;
  // Byte ranges a failed sync dropped (fsyncgate): zeros after the next power loss.
  std::vector<std::pair<size_t, size_t>> lost;
  int64_t created_ns = 0;  // the simulation's (true) time it was made, for checkers
};

class SimDisk {
 public:
  explicit SimDisk(Simulation& simulation) : simulation_(simulation) {}
  DiskFaults& faults() { return faults_; }
  uint64_t used_bytes() const;
  // Power loss: names revert to their synced state; unsynced data is lost or torn.
  void power_loss(Random& random);
  // The disk is destroyed (a fault the design does not claim to survive): every file, name
  // and directory is gone, synced or not. REQUIRES: the node is down (no file open).
  void destroy();
  // Every file's current contents by name (synced or not), for a checker.
  std::map<std::string, std::string> contents() const;
  // Media damage: flips bit `bit` of byte `offset` of the file named `path`, synced data
  // included (what a checksum exists to catch). False if there is no such byte.
  bool flip_bit(const std::string& path, size_t offset, int bit);
  // For checkers: the file named `path` now, or null.
  const Inode* find(const std::string& path) const;
  // For checkers: the file named `path` as a power loss now would leave it at least, or
  // nullopt: its name made durable (its directory synced) in a directory that would survive,
  // and the bytes a sync made durable before the first range a failed sync dropped.
  // `created_ns` tells one file from a later one of the same name.
  struct DurableFile {
    std::string_view bytes;
    int64_t created_ns = 0;
  };
  std::optional<DurableFile> durable_file(const std::string& path) const;
  // Called with a file's path each time more of it may have become durable: its data synced,
  // its name synced, or its directory made durable (a checker's monitor reads it again then).
  void set_durable_observer(std::function<void(const std::string& path)> observer) {
    durable_observer_ = std::move(observer);
  }
  // Called at a power loss with a file's bytes and each range a failed fsync had dropped, just
  // before those bytes become zeros (a checker's monitor: what a restarted process served from
  // them is gone now).
  void set_dropped_observer(
      std::function<void(const std::string& path, std::string_view bytes, size_t from, size_t to)>
          observer) {
    dropped_observer_ = std::move(observer);
  }
  // Called with the path just before each successful remove() (a checker's monitor).
  void set_remove_observer(std::function<void(const std::string& path)> observer) {
    remove_observer_ = std::move(observer);
  }

 private:
  friend class SimFileSystem;
  friend class SimFile;
  static void tear(Random& random, Inode& inode, size_t durable_size);
  Simulation& simulation_;
  DiskFaults faults_;
  std::map<std::string, std::shared_ptr<Inode>> names_;
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;
  // Names created, renamed or removed since their directory's last sync: the only ones whose
  // durable entry can differ from the current one (a sync visits these, not the directory).
  std::set<std::string> unsynced_names_;
  std::set<std::string> dirs_{"."};
  std::set<std::string> durable_dirs_{"."};  // made durable by a sync of their parent
  std::function<void(const std::string&)> remove_observer_;
  std::function<void(const std::string&)> durable_observer_;
  std::function<void(const std::string&, std::string_view, size_t, size_t)> dropped_observer_;
  void durable_changed(const std::string& path) const {
    if (durable_observer_) durable_observer_(path);
  }
};

class SimNode;

class SimFileSystem final : public FileSystem {
 public:
  SimFileSystem(SimDisk& disk, SimNode& node) : disk_(disk), node_(node) {}
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Status create_dir(const std::string& path) override;
  Result<std::vector<std::string>> list(const std::string& dir) override;
  Result<uint64_t> file_size(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status rename_no_replace(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Task<Status> sync_dir(const std::string& dir) override;
  // The disk's capacity (DiskFaults::capacity_bytes) less every file's bytes, synced or not.
  Result<uint64_t> free_bytes(const std::string& dir) override;

  // Waits one drawn sync latency on this node; true if the sync should fail with EIO (only
  // one with something to write back can).
  Task<bool> sync_delay(bool writes_back);
  // kIoError with the disk's error probability (reads, creates, renames, removes, lists).
  Status injected_error(const char* verb, const std::string& path);
  // Every operation but a sync starts here: kIoError if the power is gone (then it must do
  // nothing), else the node is blocked for the operation's drawn time.
  Status begin_operation(const char* verb, const std::string& path, size_t bytes);

 private:
  Status check_parent(const std::string& path) const;
  Status rename(const std::string& from, const std::string& to, bool replace);
  SimDisk& disk_;
  SimNode& node_;
};

}  // namespace lj::sim
