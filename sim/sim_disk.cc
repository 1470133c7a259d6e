#include "sim/sim_disk.h"

#include <cstring>

#include "sim/sim_node.h"

namespace lj::sim {

namespace {
std::string normalize(const std::string& path) {
  std::string out = path;
  while (out.size() > 2 && out.compare(0, 2, "./") == 0) out.erase(0, 2);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}
}  // namespace

class SimFile final : public File {
 public:
  SimFile(SimDisk& disk, SimFileSystem& files, std::shared_ptr<Inode> inode, std::string path)
      : disk_(disk), files_(files), inode_(std::move(inode)), path_(std::move(path)) {}

  Status append(std::span<const std::byte> bytes) override {
    if (Status s = files_.begin_operation("append to", path_, bytes.size()); !s.ok()) return s;
    Random& random = disk_.simulation_.random();
    const char* data = reinterpret_cast<const char*>(bytes.data());
    if (chance(random, disk_.faults_.io_error_probability)) {
      inode_->data.append(data, uniform_below(random, bytes.size() + 1));
      return Error(ErrorCode::kIoError, "append to " + path_ + ": injected EIO");
    }
    // (Summed only while a disk-full fault holds: it walks every file.)
    const uint64_t used = disk_.faults_.capacity_bytes == UINT64_MAX ? 0 : disk_.used_bytes();
    if (used + bytes.size() > disk_.faults_.capacity_bytes) {
      const uint64_t room =
          disk_.faults_.capacity_bytes > used ? disk_.faults_.capacity_bytes - used : 0;
      inode_->data.append(data, uniform_below(random, room + 1));
      return Error(ErrorCode::kDiskFull, "append to " + path_ + ": no space left on device");
    }
    inode_->data.append(data, bytes.size());
    return Status();
  }

  Result<size_t> read_at(uint64_t offset, std::span<std::byte> buffer) override {
    if (Status s = files_.begin_operation("read", path_, buffer.size()); !s.ok()) return s.error();
    if (Status s = files_.injected_error("read", path_); !s.ok()) return s.error();
    const std::string& data = inode_->data;
    if (offset >= data.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(buffer.size(), data.size() - offset);
    std::memcpy(buffer.data(), data.data() + offset, n);
    return n;
  }

  Task<Status> sync() override {
    std::shared_ptr<Inode> inode = inode_;
    const size_t promised = inode->data.size();
    // Nothing dirty (every byte synced, or dropped clean by a failed sync, and no truncation
    // since): no page to write back, so nothing that can fail - the second fsync after an EIO
    // returns ok, which is what made fsyncgate bite.
    size_t written_back = inode->durable_size;
    for (const auto& [from, to] : inode->lost) written_back = std::max(written_back, to);
    const bool dirty =
        inode->durable_before_truncate != nullptr || inode->data.size() > written_back;
    const bool fail = co_await files_.sync_delay(dirty);
    if (fail) {
      // fsyncgate: the kernel drops the dirty pages it failed to write and marks them clean, so
      // a later fsync returns ok without writing them. Whatever was unsynced now is gone at the
      // next power loss, whatever any later sync says.
      if (inode->data.size() > inode->durable_size)
        inode->lost.emplace_back(inode->durable_size, inode->data.size());
      co_return Error(ErrorCode::kIoError, "fsync " + path_ + ": injected EIO");
    }
    inode->durable_before_truncate.reset();
    inode->durable_size = std::max(inode->durable_size, std::min(promised, inode->data.size()));
    disk_.durable_changed(path_);
    co_return Status();
  }

  uint64_t size() const override { return inode_->data.size(); }

 private:
  SimDisk& disk_;
  SimFileSystem& files_;
  std::shared_ptr<Inode> inode_;
  std::string path_;
};

uint64_t SimDisk::used_bytes() const {
  uint64_t used = 0;
  for (const auto& [name, inode] : names_) used += inode->data.size();
  return used;
}

// An unsynced tail that survived a power loss in part: its length was written (the file grew)
// but not all of its blocks, which read as zeros, or as old garbage on a reused block.
void SimDisk::tear(Random& random, Inode& inode, size_t durable_size) {
  if (inode.data.size() <= durable_size) return;
  const size_t from = durable_size + uniform_below(random, inode.data.size() - durable_size);
  switch (uniform_below(random, 4)) {
    case 0:
      std::fill(inode.data.begin() + static_cast<std::ptrdiff_t>(from), inode.data.end(), '\0');
      break;
    case 1:
      for (size_t i = from; i < inode.data.size(); ++i)
        inode.data[i] = static_cast<char>(random.next_u64() & 0xff);
      break;
    default:
      break;  // cut cleanly at its length
  }
}

void SimDisk::power_loss(Random& random) {
  // A directory survives if its own entry and each of its ancestors' did.
  dirs_ = {"."};
  for (const std::string& dir : durable_dirs_) {  // (sorted: a parent before its children)
    if (dirs_.contains(parent_dir(dir))) dirs_.insert(dir);
  }
  durable_dirs_ = dirs_;
  std::erase_if(durable_names_,
                [this](const auto& entry) { return !dirs_.contains(parent_dir(entry.first)); });
  names_ = durable_names_;
  unsynced_names_.clear();
  for (auto& [name, inode] : names_) {
    if (inode->durable_before_truncate) {
      inode->data = std::move(*inode->durable_before_truncate);
      inode->durable_before_truncate.reset();
    } else {
      const size_t unsynced = inode->data.size() - inode->durable_size;
      size_t kept = 0;
      switch (uniform_below(random, 3)) {
        case 0:
          kept = 0;
          break;
        case 1:
          kept = unsynced;
          break;
        default:
          kept = uniform_below(random, unsynced + 1);
          break;
      }
      inode->data.resize(inode->durable_size + kept);
      tear(random, *inode, inode->durable_size);
    }
    // Pages a failed fsync dropped never reached the disk: what is there is zeros (a file
    // extended over them) - even below bytes a later fsync made durable.
    for (const auto& [from, to] : inode->lost) {
      if (dropped_observer_) dropped_observer_(name, inode->data, from, to);
      if (from < inode->data.size()) {
        std::fill(
            inode->data.begin() + static_cast<std::ptrdiff_t>(from),
            inode->data.begin() + static_cast<std::ptrdiff_t>(std::min(to, inode->data.size())),
            '\0');
      }
    }
    inode->lost.clear();
    inode->durable_size = inode->data.size();
  }
  // What survived is durable now, unsynced bytes that happened to reach the platter included
  // (a Graceland's recovery serves a record that survived whole, though it never fsynced it).
  for (const auto& [name, inode] : names_) durable_changed(name);
}

std::optional<SimDisk::DurableFile> SimDisk::durable_file(const std::string& path) const {
  auto named = durable_names_.find(path);
  if (named == durable_names_.end()) return std::nullopt;
  // Its directory survives if it and each of its ancestors were made durable.
  for (std::string dir = parent_dir(path); dir != "."; dir = parent_dir(dir)) {
    if (!durable_dirs_.contains(dir)) return std::nullopt;
  }
  const Inode& inode = *named->second;
  std::string_view durable = inode.durable_before_truncate
                                 ? std::string_view(*inode.durable_before_truncate)
                                 : std::string_view(inode.data).substr(0, inode.durable_size);
  for (const auto& [from, to] : inode.lost)
    durable = durable.substr(0, std::min(durable.size(), from));
  return DurableFile{durable, inode.created_ns};
}

void SimDisk::destroy() {
  names_.clear();
  durable_names_.clear();
  unsynced_names_.clear();
  dirs_ = {"."};
  durable_dirs_ = {"."};
}

bool SimDisk::flip_bit(const std::string& path, size_t offset, int bit) {
  auto it = names_.find(path);
  if (it == names_.end() || offset >= it->second->data.size()) return false;
  it->second->data[offset] = static_cast<char>(it->second->data[offset] ^ (1 << (bit & 7)));
  return true;
}

const Inode* SimDisk::find(const std::string& path) const {
  auto it = names_.find(path);
  return it == names_.end() ? nullptr : it->second.get();
}

std::map<std::string, std::string> SimDisk::contents() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, inode] : names_) out.emplace(name, inode->data);
  return out;
}

Status SimFileSystem::check_parent(const std::string& path) const {
  const std::string dir = parent_dir(path);
  if (!disk_.dirs_.contains(dir)) {
    return Error(ErrorCode::kNotFound, "open " + path + ": no directory " + dir);
  }
  return Status();
}

Result<std::unique_ptr<File>> SimFileSystem::open(const std::string& raw_path, OpenMode mode) {
  const std::string path = normalize(raw_path);
  if (Status s = begin_operation("open", path, 0); !s.ok()) return s.error();
  auto it = disk_.names_.find(path);
  if (it == disk_.names_.end()) {
    if (mode == OpenMode::kExisting) return Error(ErrorCode::kNotFound, "open " + path);
    if (Status s = check_parent(path); !s.ok()) return s.error();
    if (Status s = injected_error("create", path); !s.ok()) return s.error();
    it = disk_.names_.emplace(path, std::make_shared<Inode>()).first;
    disk_.unsynced_names_.insert(path);
    it->second->created_ns = node_.local_now_ns();
  } else if (mode == OpenMode::kCreateNew) {
    return Error(ErrorCode::kAlreadyExists, "create " + path);
  } else if (mode == OpenMode::kTruncate) {
    Inode& inode = *it->second;
    if (!inode.durable_before_truncate) {
      inode.durable_before_truncate =
          std::make_unique<std::string>(inode.data.substr(0, inode.durable_size));
    }
    inode.data.clear();
    inode.durable_size = 0;
    inode.lost.clear();  // (the durable content to return to is kept above)
  }
  return std::unique_ptr<File>(std::make_unique<SimFile>(disk_, *this, it->second, path));
}

Status SimFileSystem::begin_operation(const char* verb, const std::string& path, size_t bytes) {
  if (!node_.before_disk_operation())
    return Error(ErrorCode::kIoError, std::string(verb) + " " + path + ": power lost");
  const DiskFaults& faults = disk_.faults_;
  Random& random = disk_.simulation_.random();
  double ns = exponential(random, static_cast<double>(faults.op_latency_mean_ns)) +
              static_cast<double>(bytes) * 1e9 / faults.bytes_per_second;
  if (faults.stall_probability > 0 && chance(random, faults.stall_probability)) {
    ns += std::min(pareto(random, static_cast<double>(faults.stall_scale_ns), 1.2), 2e9);
  }
  node_.spend_io(static_cast<int64_t>(ns));
  return Status();
}

Status SimFileSystem::injected_error(const char* verb, const std::string& path) {
  if (!chance(disk_.simulation_.random(), disk_.faults_.io_error_probability)) return Status();
  return Error(ErrorCode::kIoError, std::string(verb) + " " + path + ": injected EIO");
}

Status SimFileSystem::create_dir(const std::string& raw_path) {
  const std::string path = normalize(raw_path);
  if (Status s = begin_operation("mkdir", path, 0); !s.ok()) return s;
  if (Status s = injected_error("mkdir", path); !s.ok()) return s;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') disk_.dirs_.insert(path.substr(0, i));
  }
  return Status();
}

Result<std::vector<std::string>> SimFileSystem::list(const std::string& raw_dir) {
  const std::string dir = normalize(raw_dir);
  if (Status s = begin_operation("list", dir, 0); !s.ok()) return s.error();
  if (!disk_.dirs_.contains(dir)) return Error(ErrorCode::kNotFound, "list " + dir);
  if (Status s = injected_error("list", dir); !s.ok()) return s.error();
  std::vector<std::string> names;
  const std::string prefix = dir + "/";
  for (auto it = disk_.names_.lower_bound(prefix);
       it != disk_.names_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string rest = it->first.substr(prefix.size());
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;
}

Result<uint64_t> SimFileSystem::file_size(const std::string& raw_path) {
  if (Status s = begin_operation("stat", raw_path, 0); !s.ok()) return s.error();
  auto it = disk_.names_.find(normalize(raw_path));
  if (it == disk_.names_.end()) return Error(ErrorCode::kNotFound, "stat " + raw_path);
  return static_cast<uint64_t>(it->second->data.size());
}

Status SimFileSystem::rename(const std::string& raw_from, const std::string& raw_to) {
  return rename(raw_from, raw_to, /*replace=*/true);
}

Status SimFileSystem::rename_no_replace(const std::string& raw_from, const std::string& raw_to) {
  return rename(raw_from, raw_to, /*replace=*/false);
}

Status SimFileSystem::rename(const std::string& raw_from, const std::string& raw_to, bool replace) {
  const std::string from = normalize(raw_from);
  const std::string to = normalize(raw_to);
  if (Status s = begin_operation("rename", from, 0); !s.ok()) return s;
  if (!replace && disk_.names_.contains(to))
    return Error(ErrorCode::kAlreadyExists, "rename (no replace) to " + to);
  auto it = disk_.names_.find(from);
  if (it == disk_.names_.end()) return Error(ErrorCode::kNotFound, "rename " + from);
  if (Status s = check_parent(to); !s.ok()) return s;
  if (Status s = injected_error("rename", from); !s.ok()) return s;
  std::shared_ptr<Inode> inode = it->second;
  disk_.names_.erase(it);
  disk_.names_[to] = std::move(inode);
  disk_.unsynced_names_.insert(from);
  disk_.unsynced_names_.insert(to);
  return Status();
}

Status SimFileSystem::remove(const std::string& raw_path) {
  if (Status s = begin_operation("remove", raw_path, 0); !s.ok()) return s;
  if (Status s = injected_error("remove", raw_path); !s.ok()) return s;
  const std::string path = normalize(raw_path);
  if (!disk_.names_.contains(path)) return Error(ErrorCode::kNotFound, "remove " + raw_path);
  if (disk_.remove_observer_) disk_.remove_observer_(path);
  disk_.names_.erase(path);
  disk_.unsynced_names_.insert(path);
  return Status();
}

Task<bool> SimFileSystem::sync_delay(bool writes_back) {
  Simulation& simulation = disk_.simulation_;
  Random& random = simulation.random();
  double delay = exponential(random, static_cast<double>(disk_.faults_.sync_latency_mean_ns));
  if (chance(random, disk_.faults_.sync_spike_probability)) {
    delay +=
        std::min(pareto(random, static_cast<double>(disk_.faults_.sync_spike_scale_ns), 1.2), 5e9);
  }
  const bool fail = writes_back && (chance(random, disk_.faults_.io_error_probability) ||
                                    chance(random, disk_.faults_.sync_error_probability));
  // A failing fsync is slow: the drive's and the kernel's retries and command timeouts run
  // before EIO comes back (a fifth of a second to several seconds; SCSI and NVMe time a
  // command out after 30 s), while the writes behind it pile into the cache - bytes the
  // failure then drops with the rest.
  if (fail) delay += std::min(pareto(random, 200'000'000.0, 1.2), 5e9);
  struct Wait {
    Simulation& simulation;
    SimNode& node;
    int64_t delay_ns;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) {
      // (From the node's own time: after the operations it made before this sync.)
      simulation.schedule_at(node.local_now_ns() + delay_ns, node.id(), EventKind::kDisk,
                             [self] { self.resume(); });
    }
    void await_resume() noexcept {}
  };
  co_await Wait{simulation, node_, static_cast<int64_t>(delay)};
  co_return fail;
}

Task<Status> SimFileSystem::sync_dir(const std::string& raw_dir) {
  const std::string dir = normalize(raw_dir);
  if (!disk_.dirs_.contains(dir)) co_return Error(ErrorCode::kNotFound, "fsync dir " + dir);
  if (co_await sync_delay(true))
    co_return Error(ErrorCode::kIoError, "fsync dir " + dir + ": injected EIO");
  // The directory's synced entries become exactly its current ones: only names changed since
  // they were last synced can differ (sorted: those under "dir/" are one range; the top
  // directory's are all names without a '/').
  const std::string prefix = dir == "." ? std::string() : dir + "/";
  auto directly_inside = [&prefix](const std::string& name) {
    return name.compare(0, prefix.size(), prefix) == 0 &&
           name.find('/', prefix.size()) == std::string::npos;
  };
  auto past = [&prefix](const std::string& name) {
    return name.compare(0, prefix.size(), prefix) != 0;
  };
  for (auto it = disk_.unsynced_names_.lower_bound(prefix);
       it != disk_.unsynced_names_.end() && !past(*it);) {
    if (!directly_inside(*it)) {
      ++it;
      continue;
    }
    if (auto now = disk_.names_.find(*it); now != disk_.names_.end()) {
      disk_.durable_names_[*it] = now->second;
      disk_.durable_changed(*it);
    } else {
      disk_.durable_names_.erase(*it);
    }
    it = disk_.unsynced_names_.erase(it);
  }
  for (auto it = disk_.dirs_.lower_bound(prefix); it != disk_.dirs_.end() && !past(*it); ++it) {
    if (*it == "." || !directly_inside(*it) || !disk_.durable_dirs_.insert(*it).second) continue;
    // A directory made durable: the durable names under it now survive a power loss.
    if (!disk_.durable_observer_) continue;
    const std::string under = *it + "/";
    for (auto name = disk_.durable_names_.lower_bound(under);
         name != disk_.durable_names_.end() && name->first.compare(0, under.size(), under) == 0;
         ++name) {
      disk_.durable_changed(name->first);
    }
  }
  co_return Status();
}

Result<uint64_t> SimFileSystem::free_bytes(const std::string& raw_dir) {
  if (Status s = begin_operation("statvfs", raw_dir, 0); !s.ok()) return s.error();
  const std::string dir = normalize(raw_dir);
  if (!disk_.dirs_.contains(dir)) return Error(ErrorCode::kNotFound, "statvfs " + dir);
  const uint64_t used = disk_.used_bytes();
  return disk_.faults_.capacity_bytes > used ? disk_.faults_.capacity_bytes - used : 0;
}

}  // namespace lj::sim
