#pragma once
// The lumberjack daemon's command line (and configuration file): every flag, its default and
// range (declare_flags), and what they make of a node's options once parsed (apply_flags).

#include <cstdint>
#include <optional>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/graceland_tls.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/storage/s3_bucket.h"
#include "prod/storage/webdav_object_store.h"

namespace lj::cmd {

struct LumberjackFlags {
  lumberjack::LumberjackOptions options;  // what the flags set directly, and the defaults
  std::string zookeeper;
  std::string storage_dir;
  std::string storage_webdav;
  std::string storage_s3;                // s3://host[:port]/bucket[/prefix][?region=r]
  std::string storage_s3_key_file;       // "ACCESS_KEY_ID SECRET_ACCESS_KEY" on its first line
  std::string storage_s3_read_key_file;  // nginx's: a key that may only read (GetObject)
  std::string storage_ca;                // the WebDAV or S3 hop: HTTPS, verified against this CA
  std::string storage_user;
  std::string storage_password_file;
  std::string metrics_listen = "127.0.0.1:0";
  std::string ready_file;
  std::string retention_hours = "48";
  std::string pops;
  unsigned file_threads = 0;  // --file-threads: set to the spare cores before declaring
  std::string nginx_dir;
  GracelandTlsFlags graceland_tls;
  std::string zk_auth;  // prod/cmd/common/zk_access.h
  int64_t session_timeout_ms = 0;
  int64_t graceland_timeout_ms = 0;
  int64_t load_report_ms = 0;
  int64_t checkpoint_budget = 0;
  int64_t balance_tolerance_pct = 0;
  std::string push_ssh_key;           // push over SFTP
  std::string push_credentials_file;  // push to S3
  std::string push_ca_file;
  std::string push_key_file;  // the cluster's push key: push to syslog collectors
  int64_t push_timeout_ms = 0;
  LogLevelFlag log_level;
  bool print_config = false;
};

// Declares every flag on `app`, each bound to `flags` with its current value as the default.
void declare_flags(CLI::App& app, LumberjackFlags& flags);

// What a node is given once the flags parsed: `flags.options` completed, the WebDAV or S3
// store's options, and the retention period. A usage problem (one line) if the flags do not go
// together.
struct AppliedFlags {
  WebDavOptions webdav;
  std::optional<S3BucketOptions> s3;  // --storage-s3
  push::S3Credential s3_read;         // what nginx signs with: the read key, else the node's
  Duration retention{0};
};
std::optional<std::string> apply_flags(LumberjackFlags& flags, AppliedFlags& applied);

}  // namespace lj::cmd
