#pragma once
// S3Bucket: the ObjectBucket seam (prod/io/object_bucket.h) on an S3-compatible store (AWS S3,
// Ceph RGW, MinIO...), through the S3 client push delivery uses (prod/push/s3_client.h: libcurl,
// Signature V4, TLS verified, each call bounded by its timeout). With BucketObjectStore it is
// the cluster's central store: `lumberjack --storage-s3 s3://host[:port]/bucket[/prefix]`.
//   - The client blocks, so calls run on threads of their own (BlockingCalls) and complete on
//     the loop; up to `threads` run at once, each on a client (and a kept-alive connection) of
//     its own.
//   - Names are keys under the URL's prefix, percent-encoded on the way (any valid name works).
//
// REQUIRES: destroyed only when no call is running (the daemon stops its pipelines first); the
// destructor waits for calls still on the threads.

#include <functional>
#include <memory>

#include "prod/io/object_bucket.h"
#include "prod/push/push_credentials.h"
#include "prod/push/s3_client.h"
#include "prod/push/s3_url.h"

namespace lj {

struct S3BucketOptions {
  push::S3Url url;
  push::S3Credential credential;
  push::S3Options client;
  unsigned threads = 8;
};

class S3Bucket final : public ObjectBucket {
 public:
  // `post_to_loop`: runs a function later on the loop's thread, from any thread.
  S3Bucket(S3BucketOptions options, std::function<void(std::function<void()>)> post_to_loop);
  ~S3Bucket() override;
  Task<Status> put(const std::string& name, std::string contents) override;
  Task<Result<std::string>> get(const std::string& name) override;
  Task<Result<bool>> exists(const std::string& name) override;
  Task<Status> copy(const std::string& from, const std::string& to) override;
  Task<Status> remove(const std::string& name) override;
  Task<Result<std::vector<std::string>>> list(const std::string& dir) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj
