#include "prod/storage/directory_object_store.h"

#include <cstdio>

#include "prod/io/invariant.h"

namespace lj {

namespace {

std::string last_segment(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// The folder of an object name relative to the store's root: "a/b/c" -> "a/b", "c" -> "".
std::string folder_of(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? std::string() : name.substr(0, slash);
}

}  // namespace

Status validate_directory_object_name(const std::string& name) {
  if (Status s = validate_object_name(name); !s.ok()) return s;
  if (last_segment(name).starts_with(DirectoryObjectStore::kTempPrefix)) {
    return Error(ErrorCode::kInvalidArgument,
                 "object name '" + name + "' uses the prefix reserved for temp files");
  }
  return Status();
}

DirectoryObjectStore::DirectoryObjectStore(FileSystem& files, Random& random, std::string root)
    : files_(files), random_(random), root_(std::move(root)) {
  LJ_ASSERT(!root_.empty() && root_.back() != '/');
}

std::string DirectoryObjectStore::temp_path_in(const std::string& dir) {
  char token[17];
  std::snprintf(token, sizeof(token), "%016llx",
                static_cast<unsigned long long>(random_.next_u64()));
  return dir + "/" + std::string(kTempPrefix) + token + ".tmp";
}

// Only for diagnosis and conflict checks: a real file system opens a folder with EISDIR and a
// path through a file with ENOTDIR, both of which mean "no object here".
bool DirectoryObjectStore::is_object(const std::string& name) {
  return files_.open(path_of(name), OpenMode::kExisting).ok();
}

bool DirectoryObjectStore::means_no_object(const Error& error, const std::string& name) {
  if (error.code() == ErrorCode::kNotFound) return true;
  return error.code() == ErrorCode::kIoError && !is_object(name);
}

bool DirectoryObjectStore::is_folder(const std::string& name) {
  return files_.list(path_of(name)).ok();
}

Status DirectoryObjectStore::check_can_hold_object(const std::string& name) {
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    const std::string ancestor = name.substr(0, slash);
    if (is_object(ancestor)) {
      return Error(ErrorCode::kAlreadyExists,
                   "object '" + ancestor + "' is where a folder for '" + name + "' is needed");
    }
  }
  if (is_folder(name)) {
    return Error(ErrorCode::kAlreadyExists, "'" + name + "' is a folder of other objects");
  }
  return Status();
}

Task<Status> DirectoryObjectStore::make_folder_durable(const std::string& name) {
  const std::string folder = folder_of(name);
  // The root's own name too (remembered as the folder ""): a power loss must not take it, and
  // every object in it, along.
  if (!durable_folders_.contains("")) {
    if (Status s = co_await create_dir_durably(files_, root_); !s.ok()) co_return s;
    durable_folders_.insert("");
  }
  if (Status s = files_.create_dir(folder.empty() ? root_ : path_of(folder)); !s.ok()) co_return s;
  if (folder.empty() || durable_folders_.contains(folder)) co_return Status();
  // A folder's name is durable once its parent is synced; so is each ancestor's, up to root_.
  for (std::string inner = folder; !inner.empty(); inner = folder_of(inner)) {
    const std::string outer = folder_of(inner);
    // A named local: GCC 12 destroys a ?: temporary inside co_await twice.
    const std::string outer_path = outer.empty() ? root_ : path_of(outer);
    if (Status s = co_await files_.sync_dir(outer_path); !s.ok()) co_return s;
  }
  if (durable_folders_.size() >= kMaxDurableFoldersRemembered) durable_folders_.clear();
  for (std::string inner = folder; !inner.empty(); inner = folder_of(inner)) {
    durable_folders_.insert(inner);
  }
  co_return Status();
}

Task<Status> DirectoryObjectStore::write_synced(File& file, const std::string& contents) {
  if (Status s = file.append(std::as_bytes(std::span(contents))); !s.ok()) co_return s;
  co_return co_await file.sync();
}

Task<Status> DirectoryObjectStore::put(const std::string& name, std::string contents) {
  if (Status s = validate_directory_object_name(name); !s.ok()) co_return s;
  if (Status s = check_can_hold_object(name); !s.ok()) co_return s;
  if (Status s = co_await make_folder_durable(name); !s.ok()) co_return s;
  const std::string path = path_of(name);
  const std::string dir = parent_dir(path);
  const std::string temp = temp_path_in(dir);
  Result<std::unique_ptr<File>> file = files_.open(temp, OpenMode::kCreateNew);
  if (!file.ok()) co_return file.status();
  Status status = co_await write_synced(**file, contents);
  file->reset();
  if (status.ok()) status = files_.rename(temp, path);
  if (!status.ok()) {
    (void)files_.remove(temp);  // best effort: a stray temp file is never listed or read
    co_return status;
  }
  co_return co_await files_.sync_dir(dir);
}

Task<Result<std::string>> DirectoryObjectStore::get(const std::string& name) {
  if (Status s = validate_directory_object_name(name); !s.ok()) co_return s.error();
  Result<std::string> contents = read_file(files_, path_of(name));
  if (!contents.ok() && contents.code() != ErrorCode::kNotFound &&
      means_no_object(contents.error(), name)) {
    co_return Error(ErrorCode::kNotFound,
                    "no object '" + name + "' (a folder or a path through an object)");
  }
  co_return contents;
}

Task<Status> DirectoryObjectStore::rename(const std::string& from, const std::string& to) {
  if (Status s = validate_directory_object_name(from); !s.ok()) co_return s;
  if (Status s = validate_directory_object_name(to); !s.ok()) co_return s;
  if (Status s = check_can_hold_object(to); !s.ok()) co_return s;
  if (Status s = co_await make_folder_durable(to); !s.ok()) co_return s;
  // `from` must open as a file first: a real rename(2) would move a whole folder.
  Status renamed;
  if (Result<std::unique_ptr<File>> source = files_.open(path_of(from), OpenMode::kExisting);
      !source.ok()) {
    if (source.code() != ErrorCode::kNotFound) {  // a folder, or a path through an object
      if (!means_no_object(source.error(), from)) co_return source.status();
      co_return Error(ErrorCode::kNotFound, "rename: '" + from + "' is not an object");
    }
    renamed = Error(ErrorCode::kNotFound, "rename: no object '" + from + "'");
  } else {
    renamed = files_.rename_no_replace(path_of(from), path_of(to));
  }
  if (!renamed.ok() && renamed.code() != ErrorCode::kNotFound) {
    if (renamed.code() == ErrorCode::kAlreadyExists)
      co_return Error(ErrorCode::kAlreadyExists, "rename: '" + to + "' exists");
    co_return renamed;
  }
  // Synced even when `from` is gone: a retry of a rename that was applied but not synced
  // must not report the outcome before it is durable. Destination first (see the header).
  const std::string to_dir = parent_dir(path_of(to));
  const std::string from_dir = parent_dir(path_of(from));
  if (Status s = co_await files_.sync_dir(to_dir); !s.ok()) co_return s;
  if (from_dir != to_dir) {
    Status s = co_await files_.sync_dir(from_dir);
    if (!s.ok() && s.code() != ErrorCode::kNotFound) co_return s;
  }
  co_return renamed;
}

Task<Status> DirectoryObjectStore::remove(const std::string& name) {
  if (Status s = validate_directory_object_name(name); !s.ok()) co_return s;
  const std::string path = path_of(name);
  Status removed = files_.remove(path);
  if (!removed.ok() && removed.code() != ErrorCode::kNotFound) {
    // A folder, or a path through an object: no such object, and no folder of it to sync.
    if (means_no_object(removed.error(), name)) co_return Status();
    co_return removed;
  }
  // Synced even when already absent: an earlier attempt may have unlinked it unsynced.
  Status synced = co_await files_.sync_dir(parent_dir(path));
  if (!synced.ok() && synced.code() != ErrorCode::kNotFound) co_return synced;
  co_return Status();
}

Task<Result<std::vector<std::string>>> DirectoryObjectStore::list(const std::string& dir) {
  if (!dir.empty()) {
    if (Status s = validate_object_name(dir); !s.ok()) co_return s.error();
  }
  Result<std::vector<std::string>> names = files_.list(dir.empty() ? root_ : path_of(dir));
  if (!names.ok()) {
    if (names.code() == ErrorCode::kNotFound ||
        (names.code() == ErrorCode::kIoError && !dir.empty() && is_object(dir))) {
      co_return std::vector<std::string>();
    }
    co_return names.error();
  }
  std::vector<std::string> objects;
  objects.reserve(names->size());
  for (const std::string& file : *names) {
    if (file.starts_with(kTempPrefix)) continue;
    objects.push_back(dir.empty() ? file : dir + "/" + file);
  }
  co_return objects;
}

}  // namespace lj
