#pragma once
// LocalS3 (tests only): a real S3-compatible server on loopback - s3rver, from the npm registry
// (ci/tools/s3rver, installed by ci/setup in /opt/lj-tools/s3rver) - over HTTPS with a
// certificate of a fresh CA, in a fresh temporary directory, with one bucket. It checks every
// request's AWS Signature V4 against its one account: a customer's bucket as Lumberjack pushes to
// it.

#include <string>

#include "prod/io/result.h"
#include "prod/push/local_server_support.h"

namespace lj::push {

class LocalS3 final : public LocalServer {
 public:
  static constexpr const char* kBucket = "customer-logs";
  static constexpr const char* kAccessKeyId = "S3RVER";  // the server's account
  static constexpr const char* kSecretAccessKey = "S3RVER";

  // Why the server cannot run here (not installed), or empty if it can.
  static std::string unusable_reason();
  Status start();

  std::string ca_file() const { return dir() + "/ca.crt"; }
  // "s3://127.0.0.1:<port>/customer-logs/<prefix>"
  std::string url(const std::string& prefix) const;
  // The stock client's (s3cmd) command line for this server, before its verb.
  std::string s3cmd() const;
  // The requests the server logged so far, one a line.
  std::string request_log() const;
};

}  // namespace lj::push
