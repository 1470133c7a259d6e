#pragma once
// ObjectStore: central storage for published log files, behind the seam. Backends: a directory
// (local disk or a shared mount; prod/storage/directory_object_store.*) and an HTTP WebDAV
// server such as nginx's (prod/storage/webdav_object_store.*); the simulated one is
// sim/sim_object_store.*. All three pass one conformance suite
// (sim/conformance/object_store_conformance_test.cc).
//
// Contract:
//  - Names are relative, '/'-separated ("1001_7/1001_12.log"); each segment is non-empty, is
//    not "." or "..", and has no NUL. Other names are kInvalidArgument.
//  - put() is atomic and durable: when it returns ok, every later get() sees the whole new
//    contents, even after a crash of the store; a failed put() leaves either the old
//    contents or the new, never a mix. put() replaces an existing object.
//  - rename() is atomic and never replaces: kAlreadyExists if `to` exists (renaming onto
//    itself included), and then neither name changes; kNotFound if `from` is absent. Durable
//    on ok. Publishing is a rename, so a published object is never overwritten by one - not
//    by a stale owner, not by a retry (docs/lumberjack.md, "Storage is fenced by naming").
//    (nginx's WebDAV checks the target, then renames: two MOVEs racing onto one name from two
//    sources could both pass. Publishing never races that way - one committed staged object per
//    file number, so a second MOVE finds its source gone.)
//  - A call that fails with kUnavailable, kIoError or kTimedOut may or may not have been
//    applied: callers make every step idempotent.
//  - list(dir) gives the full names ("dir/x.log") of the objects directly inside folder `dir`,
//    sorted; a missing folder lists as empty. A listing may be stale (a replica or cache
//    behind: new objects missing, removed ones present), and names whose last segment starts
//    with '.' may be missing from it (nginx's autoindex hides them): no caller relies on either.
//  - The same suite holds every backend to this: sim/conformance/object_store_conformance_test.cc.
//  - Completions arrive on the caller's executor.

#include <string>
#include <vector>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Task<Status> put(const std::string& name, std::string contents) = 0;
  virtual Task<Result<std::string>> get(const std::string& name) = 0;
  virtual Task<Status> rename(const std::string& from, const std::string& to) = 0;
  virtual Task<Status> remove(const std::string& name) = 0;  // ok if absent
  virtual Task<Result<std::vector<std::string>>> list(const std::string& dir) = 0;
};

// Checks a name against the contract above (shared by every backend).
Status validate_object_name(const std::string& name);

}  // namespace lj
