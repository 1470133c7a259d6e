#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "prod/io/files.h"

namespace lj {

// POSIX files under a root directory. fsync runs on `sync_pool` threads and completes on the
// loop thread, so a slow disk delays only the tasks that wait for durability.
class PosixFileSystem final : public FileSystem {
 public:
  PosixFileSystem(std::string root, boost::asio::io_context& io,
                  boost::asio::thread_pool& sync_pool);
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Status create_dir(const std::string& path) override;
  Result<std::vector<std::string>> list(const std::string& dir) override;
  Result<uint64_t> file_size(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  // renameat2(RENAME_NOREPLACE); where the file system lacks it (EINVAL: some network file
  // systems), link(2) then unlink(2): link fails atomically if `to` exists, and a crash in
  // between leaves the object under both names, never under neither.
  Status rename_no_replace(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Task<Status> sync_dir(const std::string& dir) override;
  Result<uint64_t> free_bytes(const std::string& dir) override;  // statvfs(3)

 private:
  std::string full(const std::string& path) const;
  std::string root_;
  boost::asio::io_context& io_;
  boost::asio::thread_pool& sync_pool_;
};

}  // namespace lj
