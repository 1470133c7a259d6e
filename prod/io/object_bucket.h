#pragma once
// ObjectBucket: an object store of S3's shape, behind the seam - it has no rename, but copies
// server-side and answers whether an object exists. The central store on S3 is an ObjectBucket
// (prod/storage/s3_bucket.*) seen as an ObjectStore through BucketObjectStore
// (prod/storage/bucket_object_store.*), which composes rename from these calls; the simulated
// store offers the same shape (sim/sim_object_store.h, bucket()), so the simulator runs that
// composition with every crash window between its calls.
//
// Contract (names as ObjectStore's, already valid when they get here):
//  - put() is atomic, durable on ok, and replaces; copy() is a server-side copy with the same
//    promises (the target appears whole, with the source's bytes, replacing any object there);
//    kNotFound if the source is absent.
//  - get() and exists() see every put, copy and remove that returned ok before they were sent
//    (S3's strong read-after-write consistency); list() may be stale, as ObjectStore's.
//  - remove() is ok if the object is absent.
//  - A call that fails with kUnavailable, kIoError or kTimedOut may or may not have been applied.
//  - There are no folders: "a" and "a/b" may both be objects. list(dir) gives the full names of
//    the objects whose names are "dir/<no slash>", sorted ("" lists names with no '/').
//  - Completions arrive on the caller's executor.

#include <string>
#include <vector>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

class ObjectBucket {
 public:
  virtual ~ObjectBucket() = default;
  virtual Task<Status> put(const std::string& name, std::string contents) = 0;
  virtual Task<Result<std::string>> get(const std::string& name) = 0;
  virtual Task<Result<bool>> exists(const std::string& name) = 0;
  virtual Task<Status> copy(const std::string& from, const std::string& to) = 0;
  virtual Task<Status> remove(const std::string& name) = 0;
  virtual Task<Result<std::vector<std::string>>> list(const std::string& dir) = 0;
};

}  // namespace lj
