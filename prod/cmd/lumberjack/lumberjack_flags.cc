#include "prod/cmd/lumberjack/lumberjack_flags.h"

#include <map>

#include "prod/cmd/common/file_text.h"
#include "prod/cmd/parse_number.h"

namespace lj::cmd {

namespace {

int64_t whole_ms(Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

// "ams=HOST:PORT,fra=HOST:PORT" into `out`; false if an item is not NAME=ADDRESS.
bool parse_pops(const std::string& text, std::map<std::string, std::string>& out) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size()) return false;
    out[item.substr(0, equals)] = item.substr(equals + 1);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

// The defaults the numeric flags show: the node's own.
void take_defaults(LumberjackFlags& flags) {
  const lumberjack::LumberjackOptions& options = flags.options;
  flags.session_timeout_ms = whole_ms(options.session_timeout);
  flags.graceland_timeout_ms = whole_ms(options.pipeline.pop_call_timeout);
  flags.load_report_ms = whole_ms(options.load_report_interval);
  flags.checkpoint_budget = static_cast<int64_t>(options.checkpoint_commits_per_s);
  flags.balance_tolerance_pct = static_cast<int64_t>(options.balance.tolerance * 100);
  flags.push_timeout_ms = whole_ms(options.push.put_timeout);
}

void declare_cluster(CLI::App& app, LumberjackFlags& flags) {
  app.add_option("--name", flags.options.name, "this node's name (its worker id adds the session)")
      ->required();
  app.add_option("--zookeeper", flags.zookeeper, "ZooKeeper's hosts: HOST:PORT,...")->required();
  app.add_option("--zk-root", flags.options.layout.root, "the cluster's root in ZooKeeper")
      ->capture_default_str();
  app.add_option("--zk-auth", flags.zk_auth,
                 "ZooKeeper digest credential and ACLs (prod/cmd/common/zk_access.h)");
  app.add_option("--session-timeout-ms", flags.session_timeout_ms,
                 "the ZooKeeper session's timeout")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{400}, int64_t{600'000}));
  app.add_option("--checkpoint-budget", flags.checkpoint_budget,
                 "checkpoint commits/s the whole cluster's files may cost by rolling on age: with "
                 "N customers in the cluster none rolls by age before N/budget s (0: no budget; "
                 "the same on every node)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  app.add_option("--load-report-ms", flags.load_report_ms,
                 "how often this node reports its customers' events/s (the master balances "
                 "customers by them)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  app.add_option("--balance-tolerance-pct", flags.balance_tolerance_pct,
                 "loads within this of the mean move no customer")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
}

void declare_storage(CLI::App& app, LumberjackFlags& flags) {
  CLI::Option* dir = app.add_option("--storage-dir", flags.storage_dir,
                                    "the central store as a directory (local or a shared mount)");
  CLI::Option* dav = app.add_option("--storage-webdav", flags.storage_webdav,
                                    "the central store as a WebDAV server: HOST:PORT[/PATH]");
  CLI::Option* s3 =
      app.add_option("--storage-s3", flags.storage_s3,
                     "the central store as an S3-compatible bucket (AWS S3, Ceph RGW, MinIO): "
                     "s3://HOST[:PORT]/BUCKET[/PREFIX][?region=NAME], over HTTPS");
  dir->excludes(dav);
  s3->excludes(dir);
  s3->excludes(dav);
  app.add_option("--storage-s3-key-file", flags.storage_s3_key_file,
                 "the S3 store's key pair, ACCESS_KEY_ID SECRET_ACCESS_KEY on the first line "
                 "(mode 0600)");
  app.add_option("--storage-s3-read-key-file", flags.storage_s3_read_key_file,
                 "what this node's nginx signs customers' downloads with: a key pair that may only "
                 "read the bucket (default: --storage-s3-key-file's)");
  app.add_option("--storage-ca", flags.storage_ca,
                 "the WebDAV or S3 store over HTTPS: its certificate verified against this CA "
                 "(S3: the system's CAs by default)");
  app.add_option("--storage-user", flags.storage_user,
                 "the WebDAV store's Basic user (needs --storage-ca)");
  app.add_option("--storage-password-file", flags.storage_password_file,
                 "its password, on the first line of this file");
  app.add_option("--retention-hours", flags.retention_hours,
                 "published files older than this leave storage and logs.index, 1 minute (0.0167) "
                 "to 10 years")
      ->capture_default_str()
      ->check(parses_as("hours, 0.0167 to 87600", [](const std::string& text) {
        int64_t ms = 0;
        return parse_hours_as_ms(text, kMinRetentionMs, kMaxRetentionMs, ms);
      }));
  app.add_option("--nginx-dir", flags.nginx_dir,
                 "this node's nginx prefix: customers rendered there, nginx reloaded");
}

void declare_pipelines(CLI::App& app, LumberjackFlags& flags) {
  app.add_option("--graceland-timeout-ms", flags.graceland_timeout_ms,
                 "every Graceland call ends by then (a silent PoP)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  app.add_option("--file-threads", flags.file_threads,
                 "threads that write log files (format, compress, encrypt) beside the event "
                 "loop; 0 writes them on the loop")
      ->capture_default_str()
      ->check(CLI::Range(0u, 256u));
  app.add_option("--pops", flags.pops,
                 "the Gracelands, POP=HOST:PORT,... (default: found in ZooKeeper)")
      ->check(parses_as("POP=HOST:PORT,...", [](const std::string& text) {
        std::map<std::string, std::string> scratch;
        return parse_pops(text, scratch);
      }));
  flags.graceland_tls.add_to(app);
}

void declare_push(CLI::App& app, LumberjackFlags& flags) {
  app.add_option("--push-ssh-key", flags.push_ssh_key,
                 "this node's private key (OpenSSH format) for pushing customers' files to their "
                 "SFTP servers; customers authorize its public key")
      ->check(CLI::ExistingFile);
  app.add_option("--push-credentials", flags.push_credentials_file,
                 "the key pairs customers' S3 pushes are signed with, NAME ACCESS_KEY_ID SECRET a "
                 "line, and the tokens of HTTPS collectors, NAME SCHEME TOKEN (sent as "
                 "Authorization: SCHEME TOKEN) (mode 0600); a customer names one with lj ctl set "
                 "--push-credential")
      ->check(CLI::ExistingFile);
  app.add_option(
         "--push-ca-file", flags.push_ca_file,
         "S3 push destinations' and syslog and HTTPS collectors' certificates are verified against "
         "these CAs (default: the system's; a customer's own CA comes first)")
      ->check(CLI::ExistingFile);
  app.add_option(
         "--push-key", flags.push_key_file,
         "the cluster's push key, an RSA private key (PEM, mode 0600, the same on every "
         "node): files of customers pushed to syslog or HTTPS collectors carry their key wrapped "
         "for it too, so the nodes can read and send their events")
      ->check(CLI::ExistingFile);
  app.add_option("--push-timeout-ms", flags.push_timeout_ms,
                 "every push to a customer's destination ends by then")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
}

// --storage-webdav HOST:PORT[/PATH], with its credentials: refused over plain HTTP (they would
// cross in clear).
std::optional<std::string> apply_webdav(const LumberjackFlags& flags, WebDavOptions& webdav) {
  const size_t slash = flags.storage_webdav.find('/');
  webdav.address = flags.storage_webdav.substr(0, slash);
  webdav.base_path = slash == std::string::npos ? "" : flags.storage_webdav.substr(slash);
  while (!webdav.base_path.empty() && webdav.base_path.back() == '/') webdav.base_path.pop_back();
  if (!parse_host_port(webdav.address).ok()) return "--storage-webdav wants HOST:PORT[/PATH]";
  if (flags.storage_user.empty() != flags.storage_password_file.empty())
    return "--storage-user and --storage-password-file go together";
  if (flags.storage_user.empty()) return std::nullopt;
  if (flags.storage_ca.empty())
    return "--storage-user needs --storage-ca: credentials never cross in clear";
  const std::optional<std::string> text = read_file_text(flags.storage_password_file);
  const std::string password = text ? text->substr(0, text->find('\n')) : "";
  if (password.empty())
    return "--storage-password-file " + flags.storage_password_file +
           ": no password on its "
           "first line";
  webdav.credentials = BasicCredentials{flags.storage_user, password};
  if (auto checked = basic_authorization(webdav.credentials); !checked.ok())
    return "--storage-user: " + checked.error().message();
  return std::nullopt;
}

// A key file's pair, or a usage problem naming `flag`.
std::optional<std::string> read_s3_key(const std::string& flag, const std::string& path,
                                       push::S3Credential& credential) {
  Result<push::S3Credential> read = push::read_s3_key_file(path);
  if (!read.ok()) return flag + ": " + read.error().message();
  credential = std::move(*read);
  return std::nullopt;
}

// --storage-s3 URL with its key pairs: the bucket, the signing keys, the CA, a deadline per call.
std::optional<std::string> apply_s3(const LumberjackFlags& flags, AppliedFlags& applied) {
  Result<push::S3Url> url = push::parse_s3_url(flags.storage_s3);
  if (!url.ok()) return "--storage-s3: " + url.error().message();
  if (flags.storage_s3_key_file.empty()) return "--storage-s3 needs --storage-s3-key-file";
  if (!flags.storage_user.empty()) return "--storage-user is for --storage-webdav";
  S3BucketOptions s3;
  if (auto problem = read_s3_key("--storage-s3-key-file", flags.storage_s3_key_file, s3.credential))
    return problem;
  applied.s3_read = s3.credential;
  if (!flags.storage_s3_read_key_file.empty()) {
    if (auto problem = read_s3_key("--storage-s3-read-key-file", flags.storage_s3_read_key_file,
                                   applied.s3_read)) {
      return problem;
    }
  }
  s3.url = std::move(*url);
  s3.client.ca_file = flags.storage_ca;
  s3.client.timeout = std::chrono::seconds(120);  // per call, as the WebDAV store's watchdog
  applied.s3 = std::move(s3);
  return std::nullopt;
}

}  // namespace

void declare_flags(CLI::App& app, LumberjackFlags& flags) {
  take_defaults(flags);
  add_config_file(app, flags.print_config);
  declare_cluster(app, flags);
  declare_storage(app, flags);
  declare_pipelines(app, flags);
  app.add_option(
         "--metrics-listen", flags.metrics_listen,
         "serve /metrics (Prometheus text) and the status page (/status, /status.json) here")
      ->capture_default_str();
  app.add_option("--ready-file", flags.ready_file, "write the metrics address here once running");
  declare_push(app, flags);
  add_log_level(app, flags.log_level);
}

std::optional<std::string> apply_flags(LumberjackFlags& flags, AppliedFlags& applied) {
  lumberjack::LumberjackOptions& options = flags.options;
  int64_t retention_ms = 0;
  (void)parse_hours_as_ms(flags.retention_hours, kMinRetentionMs, kMaxRetentionMs,
                          retention_ms);  // checked as it was parsed
  applied.retention = std::chrono::milliseconds(retention_ms);
  if (!flags.pops.empty()) (void)parse_pops(flags.pops, options.static_pops);  // checked too
  options.session_timeout = std::chrono::milliseconds(flags.session_timeout_ms);
  options.pipeline.pop_call_timeout = std::chrono::milliseconds(flags.graceland_timeout_ms);
  options.load_report_interval = std::chrono::milliseconds(flags.load_report_ms);
  options.checkpoint_commits_per_s = static_cast<double>(flags.checkpoint_budget);
  options.balance.tolerance = static_cast<double>(flags.balance_tolerance_pct) / 100;
  options.push.put_timeout = std::chrono::milliseconds(flags.push_timeout_ms);
  const int stores = static_cast<int>(!flags.storage_dir.empty()) +
                     static_cast<int>(!flags.storage_webdav.empty()) +
                     static_cast<int>(!flags.storage_s3.empty());
  if (flags.zookeeper.empty() || stores != 1)
    return "--zookeeper and one of --storage-dir, --storage-webdav or --storage-s3 are required";
  if (!flags.storage_webdav.empty()) {
    if (std::optional<std::string> problem = apply_webdav(flags, applied.webdav)) return problem;
  } else if (!flags.storage_s3.empty()) {
    if (std::optional<std::string> problem = apply_s3(flags, applied)) return problem;
  } else if (!flags.storage_ca.empty() || !flags.storage_user.empty()) {
    return "--storage-ca and --storage-user are for --storage-webdav or --storage-s3";
  }
  if (flags.storage_s3.empty() &&
      (!flags.storage_s3_key_file.empty() || !flags.storage_s3_read_key_file.empty()))
    return "--storage-s3-key-file and --storage-s3-read-key-file are for --storage-s3";
  if (const std::string problem = flags.graceland_tls.problem(); !problem.empty()) return problem;
  if (options.layout.root.empty() || options.layout.root[0] != '/' ||
      options.layout.root.back() == '/') {
    return "--zk-root is an absolute ZooKeeper path like /lj";
  }
  return std::nullopt;
}

}  // namespace lj::cmd
