#pragma once
// What a node's nginx needs to serve customers' files from a central store on S3
// (`lumberjack --storage-s3`): a file of directives included in each customer's file location
// (NginxRenderOptions::file_origin), written by the daemon beside customers.conf (mode 0600: it
// holds the store's key).
//
// A request is signed in the rewrite phase by lj_s3.sign (Lua, in node.conf.template:
// HMAC-SHA256 from the OpenSSL nginx already links) as GET or HEAD of
// "/<bucket>[/<prefix>]/<folder>/<file>"; any other method is refused (405). Only once the
// customer's check (the location's access_by_lua or auth_basic, in the access phase) passed is
// it sent on. Nothing of the customer's request reaches the store but its method, its file's
// name and a Range header (no query, no other header, no body); the store's certificate is
// verified against `ca_file` (the system's CAs when empty) for the URL's host name; the store's
// own error answers never reach the customer (node.conf.template's @lj_s3_missing, a 404 as from
// a directory, and @lj_s3_failed, a 502). The customer's URL, credentials and files are as they
// were: the store is behind the node. Give it a key that may only read
// (--storage-s3-read-key-file).

#include <string>

#include "prod/io/result.h"

namespace lj::delivery {

struct NginxS3Origin {
  std::string host;  // a name or an IPv4 address
  uint16_t port = 443;
  std::string region;
  std::string bucket;
  std::string prefix;  // "" or "a/b"
  std::string access_key_id;
  std::string secret_access_key;
  std::string ca_file;  // "" = the system's CAs
};

// The included file; kInvalidArgument (and nothing rendered) if a value could not be written
// into a config line safely: host, bucket, prefix and region as an S3 URL allows them, keys of
// [A-Za-z0-9/+=._-], a CA path of [A-Za-z0-9._/-].
Result<std::string> render_nginx_s3_origin(const NginxS3Origin& origin);

}  // namespace lj::delivery
