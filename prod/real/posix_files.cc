#include "prod/real/posix_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>

namespace lj {

namespace {

Error errno_error(int err, const std::string& context) {
  ErrorCode code = ErrorCode::kIoError;
  switch (err) {
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kDiskFull;
      break;
    case EACCES:
    case EPERM:
      code = ErrorCode::kPermissionDenied;
      break;
    case EINVAL:
    case ENAMETOOLONG:
      code = ErrorCode::kInvalidArgument;
      break;
    default:
      break;
  }
  return Error(code, context + ": " + std::strerror(err));
}

// Runs a blocking call on the pool and resumes the awaiting coroutine on the loop thread.
struct OffloadedSync {
  boost::asio::io_context& io;
  boost::asio::thread_pool& pool;
  int fd;
  std::string context;
  int error = 0;
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> self) {
    boost::asio::post(pool, [this, self] {
      const int rc = ::fsync(fd);
      const int err = rc == 0 ? 0 : errno;
      boost::asio::post(io, [this, self, err] {
        error = err;
        self.resume();
      });
    });
  }
  Status await_resume() { return error == 0 ? Status() : Status(errno_error(error, context)); }
};

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path, uint64_t size, boost::asio::io_context& io,
            boost::asio::thread_pool& pool)
      : fd_(fd), path_(std::move(path)), size_(size), io_(io), pool_(pool) {}
  ~PosixFile() override { ::close(fd_); }

  Status append(std::span<const std::byte> bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error(errno, "append to " + path_);
      }
      size_ += static_cast<uint64_t>(n);
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return Status();
  }

  Result<size_t> read_at(uint64_t offset, std::span<std::byte> buffer) override {
    size_t total = 0;
    while (total < buffer.size()) {
      const ssize_t n = ::pread(fd_, buffer.data() + total, buffer.size() - total,
                                static_cast<off_t>(offset + total));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error(errno, "read " + path_);
      }
      if (n == 0) break;
      total += static_cast<size_t>(n);
    }
    return total;
  }

  // Awaiters are named locals: GCC 12 mishandles temporaries with destructors in co_await.
  Task<Status> sync() override {
    OffloadedSync op{io_, pool_, fd_, "fsync " + path_};
    co_return co_await op;
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
  boost::asio::io_context& io_;
  boost::asio::thread_pool& pool_;
};

}  // namespace

PosixFileSystem::PosixFileSystem(std::string root, boost::asio::io_context& io,
                                 boost::asio::thread_pool& sync_pool)
    : root_(std::move(root)), io_(io), sync_pool_(sync_pool) {}

std::string PosixFileSystem::full(const std::string& path) const {
  if (!path.empty() && path.front() == '/') return path;
  return root_ + "/" + path;
}

Result<std::unique_ptr<File>> PosixFileSystem::open(const std::string& path, OpenMode mode) {
  int flags = O_RDWR | O_CLOEXEC;
  switch (mode) {
    case OpenMode::kExisting:
      break;
    case OpenMode::kCreate:
      flags |= O_CREAT;
      break;
    case OpenMode::kCreateNew:
      flags |= O_CREAT | O_EXCL;
      break;
    case OpenMode::kTruncate:
      flags |= O_CREAT | O_TRUNC;
      break;
  }
  const std::string name = full(path);
  const int fd = ::open(name.c_str(), flags, 0644);
  if (fd < 0) return errno_error(errno, "open " + name);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return errno_error(err, "stat " + name);
  }
  return std::unique_ptr<File>(
      std::make_unique<PosixFile>(fd, name, static_cast<uint64_t>(st.st_size), io_, sync_pool_));
}

Status PosixFileSystem::create_dir(const std::string& path) {
  const std::string name = full(path);
  for (size_t i = 1; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string prefix = name.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return errno_error(errno, "mkdir " + prefix);
      }
    }
  }
  return Status();
}

Result<std::vector<std::string>> PosixFileSystem::list(const std::string& dir) {
  const std::string name = full(dir);
  DIR* handle = ::opendir(name.c_str());
  if (handle == nullptr) return errno_error(errno, "list " + name);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string child = entry->d_name;
    if (child == "." || child == "..") continue;
    struct stat st {};
    if (::stat((name + "/" + child).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      names.push_back(child);
    }
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());
  return names;
}

Result<uint64_t> PosixFileSystem::file_size(const std::string& path) {
  struct stat st {};
  const std::string name = full(path);
  if (::stat(name.c_str(), &st) != 0) return errno_error(errno, "stat " + name);
  return static_cast<uint64_t>(st.st_size);
}

Status PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(full(from).c_str(), full(to).c_str()) != 0) {
    return errno_error(errno, "rename " + full(from) + " to " + full(to));
  }
  return Status();
}

Status PosixFileSystem::rename_no_replace(const std::string& from, const std::string& to) {
  const std::string source = full(from), target = full(to);
  if (::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0)
    return Status();
  if (errno != EINVAL && errno != ENOSYS)
    return errno_error(errno, "rename (no replace) " + source + " to " + target);
  if (::link(source.c_str(), target.c_str()) != 0)
    return errno_error(errno, "link " + source + " to " + target);
  if (::unlink(source.c_str()) != 0)
    return errno_error(errno, "unlink " + source + " after linking it");
  return Status();
}

Status PosixFileSystem::remove(const std::string& path) {
  if (::unlink(full(path).c_str()) != 0) return errno_error(errno, "remove " + full(path));
  return Status();
}

Task<Status> PosixFileSystem::sync_dir(const std::string& dir) {
  const std::string name = full(dir);
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) co_return errno_error(errno, "open dir " + name);
  OffloadedSync op{io_, sync_pool_, fd, "fsync dir " + name};
  Status status = co_await op;
  ::close(fd);
  co_return status;
}

Result<uint64_t> PosixFileSystem::free_bytes(const std::string& dir) {
  const std::string name = full(dir);
  struct statvfs st {};
  if (::statvfs(name.c_str(), &st) != 0) return errno_error(errno, "statvfs " + name);
  // f_bavail, not f_bfree: the blocks reserved for root are not ours to fill.
  return static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
}

}  // namespace lj
