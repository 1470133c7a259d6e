#pragma once
// BucketObjectStore: the ObjectStore (prod/io/object_store.h) over an ObjectBucket
// (prod/io/object_bucket.h) - S3's shape, which has no rename. Every call but rename passes
// through; rename(from, to) is
//   1. exists(to)?     yes: kAlreadyExists, nothing changed (so a retry of a rename that was
//                      applied, or a second publisher, hears what it hears from WebDAV);
//   2. copy(from, to)  kNotFound if `from` is gone (a rename done already, by us or another);
//   3. remove(from).
// What that gives against the contract's rename, and why publishing still holds:
//  - Steps 1-2 are not one atomic act: two renames racing onto one absent name can both copy, the
//    later replacing the earlier. Publishing renames only the staged object a commit named, so
//    racers copy the same bytes (docs/lumberjack.md, "Storage is fenced by naming").
//  - A crash or error between 2 and 3 leaves both names. The caller's retry hears
//    kAlreadyExists, finds the same bytes published and removes the staged copy itself; an
//    abandoned one is swept by recovery as any stale staging object.
//  - An S3 store with conditional writes (AWS since 2024: If-None-Match on PUT) would close the
//    race; the stores tested here (s3rver) have none, so nothing relies on it.
// Names are validated here, as every backend does, before any request leaves.

#include "prod/io/object_bucket.h"
#include "prod/io/object_store.h"

namespace lj {

// REQUIRES: `bucket` outlives this.
class BucketObjectStore final : public ObjectStore {
 public:
  explicit BucketObjectStore(ObjectBucket& bucket) : bucket_(bucket) {}
  Task<Status> put(const std::string& name, std::string contents) override;
  Task<Result<std::string>> get(const std::string& name) override;
  Task<Status> rename(const std::string& from, const std::string& to) override;
  Task<Status> remove(const std::string& name) override;
  Task<Result<std::vector<std::string>>> list(const std::string& dir) override;

 private:
  ObjectBucket& bucket_;
};

}  // namespace lj
