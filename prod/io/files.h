#pragma once
// Durable files. Contract (the simulated disk holds logic to exactly this, and is stricter
// than most real disks):
//  - append() and the bytes it wrote are volatile until sync() returns ok. A crash (power
//    loss) keeps, for each file, its synced bytes plus any prefix of the unsynced ones: a
//    record may be torn at any byte.
//  - If append() fails (kIoError, kDiskFull) a prefix of the bytes may have been stored.
//  - Names are volatile too: a create, rename or remove survives a crash only after
//    sync_dir() of the directory holding the name returns ok. So is a new directory: it (and
//    all in it) survives only once its parent was synced - create_dir_durably() does both. rename()
//    replaces the target atomically; rename_no_replace() never does: kAlreadyExists if `to` exists
//    (the check and the move are one atomic step, so of two racing callers at most one wins).
//  - read_at() returns fewer bytes than asked only at end of file.
//  - Paths are '/'-separated, relative to the process's data root (the real file system
//    resolves them under a root directory it was given).
//  - free_bytes() is what an unprivileged writer could still append on the file system
//    holding `dir`, now (statvfs's f_bavail): a snapshot, so a caller that must not fill the
//    disk keeps a reserve above what it is about to write, and an append may still fail with
//    kDiskFull.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

class File {
 public:
  virtual ~File() = default;
  virtual Status append(std::span<const std::byte> bytes) = 0;
  virtual Result<size_t> read_at(uint64_t offset, std::span<std::byte> buffer) = 0;
  virtual Task<Status> sync() = 0;
  virtual uint64_t size() const = 0;
};

enum class OpenMode {
  kExisting,   // fail with kNotFound if absent
  kCreate,     // open, creating an empty file if absent
  kCreateNew,  // fail with kAlreadyExists if present
  kTruncate,   // create or empty it
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) = 0;
  virtual Status create_dir(const std::string& path) = 0;  // with parents; ok if present
  // File names (not paths) directly inside `dir`, sorted.
  virtual Result<std::vector<std::string>> list(const std::string& dir) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status rename_no_replace(const std::string& from, const std::string& to) = 0;
  virtual Status remove(const std::string& path) = 0;
  virtual Task<Status> sync_dir(const std::string& dir) = 0;
  virtual Result<uint64_t> free_bytes(const std::string& dir) = 0;
};

// Reads a whole file (for small files: configs, checkpoints).
Result<std::string> read_file(FileSystem& fs, const std::string& path);
// Writes `contents` to `path` durably and atomically: temp file, sync, rename, sync_dir.
Task<Status> write_file_atomically(FileSystem& fs, const std::string& path,
                                   std::span<const std::byte> contents);
std::string parent_dir(const std::string& path);
// create_dir(), then a sync of each level's parent, so the new directories survive a crash.
Task<Status> create_dir_durably(FileSystem& fs, const std::string& path);

}  // namespace lj
