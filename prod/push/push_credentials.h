#pragma once
// PushCredentials: the secrets Lumberjack signs pushes to customers' S3 buckets with (and the
// tokens of HTTPS collectors, is_https_token), held like
// its other secrets - in a file on each node (`lumberjack --push-credentials FILE`, mode 0600),
// never in ZooKeeper. A customer's configuration names its credential (`lj ctl set
// --push-credential NAME`), so a name can be read by anyone who reads configurations and the
// secret only by the nodes.
//
// The file: one credential a line, "NAME ACCESS_KEY_ID SECRET_ACCESS_KEY", separated by spaces;
// blank lines and lines starting with '#' are skipped. A name is of letters, digits, '-', '.'
// and '_', given once. A file that others than its owner can read is refused, as ssh refuses a
// private key.

#include <map>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::push {

struct S3Credential {
  std::string access_key_id;
  std::string secret_access_key;
  bool operator==(const S3Credential&) const = default;
};

using PushCredentials = std::map<std::string, S3Credential>;

// A line "NAME Splunk TOKEN" or "NAME Bearer TOKEN" is an HTTPS collector's token (sent as
// `Authorization: <scheme> <token>`), never an S3 key pair; every other line is an S3 key pair.
// Each kind of destination refuses the other's, so no secret goes where it does not belong.
inline bool is_https_token(const S3Credential& credential) {
  return credential.access_key_id == "Splunk" || credential.access_key_id == "Bearer";
}

// The credential a destination's configuration names, for the push to `url`: kInvalidArgument,
// saying what to do, if none is named or this node holds none of that name.
Result<S3Credential> named_credential(const PushCredentials& credentials, const std::string& name,
                                      const std::string& url);

Result<PushCredentials> parse_push_credentials(std::string_view text);
Result<PushCredentials> read_push_credentials(const std::string& path);
// The one key pair of a file whose first line is "ACCESS_KEY_ID SECRET_ACCESS_KEY" (the central
// S3 store's: lumberjack --storage-s3-key-file, lj audit): refused, as the credentials file is,
// if other users may read it.
Result<S3Credential> read_s3_key_file(const std::string& path);

}  // namespace lj::push
