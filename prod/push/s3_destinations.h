#pragma once
// S3Destinations: push destinations in customers' S3-compatible buckets (s3_client.h), for the
// daemon. A customer's configuration gives the address (s3_url.h) and names the credential to
// sign with (push_credentials.h); a name this node does not hold is an error that says so, and
// nothing is pushed.
//   - A put is one PUT of the published file under "<prefix>/<name>" (a multipart upload when
//     large): S3 replaces an object whole, so a repeat after a lost answer rewrites the same
//     name with the same bytes and a reader never sees part of a file.
//   - The calls block, so they run on threads of their own (`threads`); one connection per
//     destination address and credential, shared by the customers pushed there, one call at a time.

#include <functional>
#include <memory>

#include "prod/io/push_destination.h"
#include "prod/push/push_credentials.h"
#include "prod/push/s3_client.h"

namespace lj::push {

struct S3DestinationsOptions {
  PushCredentials credentials;
  S3Options client;
  unsigned threads = 4;
};

// REQUIRES: as SftpDestinations (every destination open() returned gone before it is).
class S3Destinations final : public PushDestinations {
 public:
  S3Destinations(S3DestinationsOptions options,
                 std::function<void(std::function<void()>)> post_to_loop);
  ~S3Destinations() override;
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Opens an address with the destinations of its scheme: sftp://, s3://, syslog+tls:// and
// https://.
class PushDestinationsByScheme final : public PushDestinations {
 public:
  PushDestinationsByScheme(PushDestinations& sftp, PushDestinations& s3, PushDestinations& syslog,
                           PushDestinations& https)
      : sftp_(sftp), s3_(s3), syslog_(syslog), https_(https) {}
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override;

 private:
  PushDestinations& sftp_;
  PushDestinations& s3_;
  PushDestinations& syslog_;
  PushDestinations& https_;
};

}  // namespace lj::push
