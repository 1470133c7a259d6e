#pragma once
// S3Client: writes and reads objects of one S3-compatible bucket over HTTPS (libcurl), for push
// delivery (s3_destinations.h), the central store on S3 (prod/storage/s3_bucket.h) and tests.
// Blocking: one call at a time; callers keep it off the loop (blocking_calls.h).
//   - Requests are signed with AWS Signature V4 (libcurl's CURLOPT_AWS_SIGV4: the signing is
//     libcurl's to get right, as TLS is), the payload's SHA-256 in x-amz-content-sha256 and its
//     MD5 in Content-MD5, so the store refuses a body damaged on the way (BadDigest).
//   - The server's certificate is verified (against `ca_file` when given, else the system's
//     authorities); only https is spoken and redirects are not followed.
//   - put() of a body larger than `part_size` is a multipart upload (parts of `part_size`, at
//     least S3's 5 MiB), completed only when every part was acknowledged and aborted on failure
//     (best effort: an abort that never arrives leaves the parts to the bucket's lifecycle rule).
//     Either way the object appears whole or not at all, and a repeat replaces it.
//   - Every call ends by `timeout` from its start, however many requests it makes (a failed
//     multipart upload's abort has up to 5 s more of its own).
//   - Errors say what the store answered: its error code and message, the HTTP status; a 403 is
//     kPermissionDenied, a deadline kTimedOut, anything else that may heal kUnavailable.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/io/result.h"
#include "prod/push/push_credentials.h"
#include "prod/push/s3_url.h"

namespace lj::push {

struct S3Options {
  std::string ca_file;  // "" = the system's certificate authorities
  std::chrono::milliseconds timeout{20'000};
  size_t part_size = 16 << 20;
};

class S3Client {
 public:
  S3Client(S3Url url, S3Credential credential, S3Options options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // The object `name` under the URL's prefix.
  Status put(std::string_view name, const std::string& contents);
  Result<std::string> get(std::string_view name);  // kNotFound if absent
  Result<bool> exists(std::string_view name);      // HEAD
  // A server-side copy (CopyObject): `to` appears whole with `from`'s bytes, replacing any
  // object there; kNotFound if `from` is absent.
  Status copy(std::string_view from, std::string_view to);
  Status remove(std::string_view name);  // ok if absent, as S3's DELETE is
  // The names of the objects directly inside folder `folder` ("" for the top), as full names
  // under the URL's prefix ("folder/x"), sorted: every page of ListObjectsV2 with delimiter '/'.
  Result<std::vector<std::string>> list(std::string_view folder);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj::push
