#pragma once
// DirectoryObjectStore: the ObjectStore (prod/io/object_store.h) kept as files under one folder
// of a FileSystem - a local disk or a shared mount. Logic only: it runs on the POSIX file
// system and on the simulated disk alike.
//
// How it keeps the contract:
//  - put() writes a temp file in the object's own folder, syncs it, renames it over the name
//    and syncs the folder. A crash before the rename leaves only a stray temp file (never
//    listed, never read); after the folder sync the new contents are durable.
//  - Folders created for an object are made durable (their parents synced) the first time
//    this process uses them, so a put() that returned ok survives losing its folder's name.
//  - rename() moves without replacing (FileSystem::rename_no_replace) and syncs the
//    destination folder before the source folder: a crash in between can leave the object
//    under both names, never under neither.
//  - Failed or repeated calls are safe to retry: remove() and rename() sync the folders even
//    when the name is already gone, so "gone" is durable when they return.
//
// Beyond validate_object_name():
//  - A last segment starting with ".lj-put." is reserved for temp files: kInvalidArgument.
//  - An object cannot be where a folder is needed, nor a folder where an object is: put() or
//    rename() of "a/b" while "a" is an object (or of "a" while "a/b" exists) is
//    kAlreadyExists. (A file system cannot hold both; the store says so rather than failing
//    with an ambiguous kIoError that callers would retry for ever.)
//  - list("") lists the top folder; a missing folder lists as empty.
//  - list() returns full object names ("1001_7/1001_12.log"), sorted.

#include <set>
#include <string>
#include <vector>

#include "prod/io/files.h"
#include "prod/io/object_store.h"
#include "prod/io/random.h"

namespace lj {

class DirectoryObjectStore final : public ObjectStore {
 public:
  // `root`: the folder on `files` holding the objects; created on first use. `random` names
  // temp files, so processes sharing a mount never write the same temp file.
  DirectoryObjectStore(FileSystem& files, Random& random, std::string root);

  Task<Status> put(const std::string& name, std::string contents) override;
  Task<Result<std::string>> get(const std::string& name) override;
  Task<Status> rename(const std::string& from, const std::string& to) override;
  Task<Status> remove(const std::string& name) override;
  Task<Result<std::vector<std::string>>> list(const std::string& dir) override;

  static constexpr std::string_view kTempPrefix = ".lj-put.";

 private:
  std::string path_of(const std::string& name) const { return root_ + "/" + name; }
  std::string temp_path_in(const std::string& dir);
  bool is_object(const std::string& name);
  bool is_folder(const std::string& name);
  // Whether `error`, from touching `name`, means there is no object by that name: absent, or
  // a folder or a path through an object (EISDIR, ENOTDIR: kIoError on a real file system).
  bool means_no_object(const Error& error, const std::string& name);
  Status check_can_hold_object(const std::string& name);
  Task<Status> make_folder_durable(const std::string& name);
  Task<Status> write_synced(File& file, const std::string& contents);

  FileSystem& files_;
  Random& random_;
  std::string root_;
  // Folders (relative to root_) this process created or found and made durable. Bounded: it
  // is forgotten when large, which costs only extra directory syncs.
  std::set<std::string> durable_folders_;
  static constexpr size_t kMaxDurableFoldersRemembered = 4096;
};

// validate_object_name() plus the reserved temp-file prefix.
Status validate_directory_object_name(const std::string& name);

}  // namespace lj
