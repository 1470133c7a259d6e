#pragma once
// S3Url: an S3-compatible push destination,
// "s3://<host>[:<port>]/<bucket>[/<prefix>][?region=<r>]", parsed strictly (as sftp_url.h). Always
// HTTPS, path-style ("https://host/bucket/key"), which every S3-compatible store serves (AWS,
// MinIO, Ceph RGW); the region signs requests (us-east-1 when none is given). Objects are
// "<prefix>/<name>": a prefix per customer.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::push {

struct S3Url {
  std::string host;  // a name or an IPv4 address ([v6] kept without the brackets)
  uint16_t port = 443;
  std::string bucket;
  std::string prefix;  // "" or "a/b", no leading or trailing '/'
  std::string region = "us-east-1";
  bool operator==(const S3Url&) const = default;

  // "https://host:port/bucket/" + key: the object `name` under the prefix, each byte of the key
  // but '/' and RFC 3986's unreserved ones percent-encoded (as Signature V4 signs a path).
  std::string object_url(std::string_view name) const;
  std::string object_key(std::string_view name) const;
  // "https://host:port/bucket": the bucket's own requests (listing).
  std::string bucket_url() const;
  // "/bucket/" + the encoded key: what x-amz-copy-source names.
  std::string copy_source(std::string_view name) const;
};

Result<S3Url> parse_s3_url(std::string_view url);

}  // namespace lj::push
