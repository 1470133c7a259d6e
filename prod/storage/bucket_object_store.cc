#include "prod/storage/bucket_object_store.h"

#include "prod/io/planted.h"

namespace lj {

Task<Status> BucketObjectStore::put(const std::string& name, std::string contents) {
  if (Status valid = validate_object_name(name); !valid.ok()) co_return valid;
  co_return co_await bucket_.put(name, std::move(contents));
}

Task<Result<std::string>> BucketObjectStore::get(const std::string& name) {
  if (Status valid = validate_object_name(name); !valid.ok()) co_return valid.error();
  co_return co_await bucket_.get(name);
}

Task<Status> BucketObjectStore::rename(const std::string& from, const std::string& to) {
  if (Status valid = validate_object_name(from); !valid.ok()) co_return valid;
  if (Status valid = validate_object_name(to); !valid.ok()) co_return valid;
  Result<bool> target_exists = co_await bucket_.exists(to);
  if (!target_exists.ok()) co_return target_exists.error();
  if (*target_exists) co_return Error(ErrorCode::kAlreadyExists, "rename: '" + to + "' exists");
  // The source goes only once its copy is known to be whole at `to`: a failed copy may not
  // have been applied, and the source may be the only copy of a committed file.
  const Status copied = co_await bucket_.copy(from, to);
  if (!copied.ok() && !LJ_PLANTED(kBucketRemovesUncopied)) co_return copied;
  const Status removed = co_await bucket_.remove(from);
  co_return copied.ok() ? removed : copied;
}

Task<Status> BucketObjectStore::remove(const std::string& name) {
  if (Status valid = validate_object_name(name); !valid.ok()) co_return valid;
  co_return co_await bucket_.remove(name);
}

Task<Result<std::vector<std::string>>> BucketObjectStore::list(const std::string& dir) {
  if (!dir.empty()) {
    if (Status valid = validate_object_name(dir); !valid.ok()) co_return valid.error();
  }
  co_return co_await bucket_.list(dir);
}

}  // namespace lj
