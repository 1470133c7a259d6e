#include "prod/io/files.h"

namespace lj {

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

Result<std::string> read_file(FileSystem& fs, const std::string& path) {
  Result<std::unique_ptr<File>> file = fs.open(path, OpenMode::kExisting);
  if (!file.ok()) return file.error();
  std::string contents((*file)->size(), '\0');
  Result<size_t> got = (*file)->read_at(0, std::as_writable_bytes(std::span(contents)));
  if (!got.ok()) return got.error();
  contents.resize(*got);
  return contents;
}

Task<Status> write_file_atomically(FileSystem& fs, const std::string& path,
                                   std::span<const std::byte> contents) {
  const std::string temp = path + ".tmp";
  Result<std::unique_ptr<File>> file = fs.open(temp, OpenMode::kTruncate);
  if (!file.ok()) co_return file.status();
  if (Status s = (*file)->append(contents); !s.ok()) co_return s;
  if (Status s = co_await (*file)->sync(); !s.ok()) co_return s;
  if (Status s = fs.rename(temp, path); !s.ok()) co_return s;
  co_return co_await fs.sync_dir(parent_dir(path));
}

Task<Status> create_dir_durably(FileSystem& fs, const std::string& path) {
  if (Status s = fs.create_dir(path); !s.ok()) co_return s;
  // Every level may be new: its entry lives in its parent. (A few fsyncs, once per start.)
  for (std::string dir = path; !dir.empty() && dir != "." && dir != "/"; dir = parent_dir(dir)) {
    const std::string parent = parent_dir(dir);
    if (parent == dir) break;
    if (Status s = co_await fs.sync_dir(parent); !s.ok()) co_return s;
  }
  co_return Status();
}

}  // namespace lj
