// lumberjack: one node of the Lumberjack cluster.
//
//   lumberjack --name lj-1 --zookeeper 127.0.0.1:2181[,...] (--storage-dir /srv/lj-storage |
//              --storage-webdav HOST:PORT/PATH |
//              --storage-s3 s3://HOST[:PORT]/BUCKET[/PREFIX] --storage-s3-key-file FILE)
//              [--zk-root /lj] [--session-timeout-ms 4000] [--metrics-listen 127.0.0.1:9300]
//              [--pops ams=HOST:PORT,fra=HOST:PORT] [--ready-file PATH] [--nginx-dir DIR]
//              [--retention-hours 48]   published files older than this leave storage and
//                 logs.index
//              [--graceland-timeout-ms 10000]   every Graceland call ends by then (a silent PoP)
//              [--checkpoint-budget 1500]   checkpoint commits/s the cluster's files may cost by
//                 rolling on age: with N customers in the cluster none rolls by age before
//                 N/1500 s (0: no budget); give every node the same value
//              [--load-report-ms 10000]   how often this node reports its customers' events/s;
//                 the master balances customers by them (prod/lumberjack/assignment_plan.h)
//              [--balance-tolerance-pct 20]   loads within this of the mean move no customer
//              [--file-threads N]   threads that write log files (format, compress, encrypt)
//                 beside the event loop; 0 writes them on the loop (default: cores - 1, at least 1)
//              [--graceland-ca FILE --graceland-cert FILE --graceland-key FILE]
//                 mutual TLS to the Gracelands: this node's certificate has OU=lumberjack
//              [--zk-auth FILE]   ZooKeeper digest credential and ACLs
//                 (prod/cmd/common/zk_access.h)
//              [--storage-ca FILE] [--storage-user NAME --storage-password-file FILE]
//                 the WebDAV store over HTTPS (its certificate verified against FILE), with
//                 Basic credentials (refused over plain HTTP: they would cross in clear); or
//                 the S3 store's certificate verified against FILE
//   lumberjack --config FILE [flags]     the same flags from a TOML or INI file (the command
//                                        line wins)
//   lumberjack [flags] --print-config    the effective configuration, as such a file
//   lumberjack --help                    every flag, with its default and range
//
// It registers as a worker, stands in the master election, and delivers the customers it is
// assigned (LumberjackNode). Gracelands are found in ZooKeeper unless --pops lists them.
// Storage is a directory (local, or a shared mount for several machines), an HTTP WebDAV
// server (nginx with dav_methods PUT DELETE MOVE), or an S3-compatible bucket
// (prod/storage/bucket_object_store.h) as the central store of several machines; with S3 the
// node's nginx fetches customers' files from the bucket, signed (DIR/s3-origin.conf, 0600).
// Metrics are served at http://<metrics-listen>/metrics in the Prometheus text format. Logs are
// logfmt lines on stderr; "ready <metrics address>" on stdout (and in --ready-file) once it
// runs. SIGTERM or SIGINT: stop, close the session (its ephemeral nodes go at once), exit 0.
// --nginx-dir: this node's nginx prefix (DIR/nginx.conf from ci/nginx/node.conf.template); the
// customers in ZooKeeper are rendered into DIR/customers.conf and DIR/htpasswd/, and nginx is
// reloaded (`nginx -s reload -p DIR -c DIR/nginx.conf`) on every change (NginxConfigurator).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "prod/cmd/common/file_text.h"
#include "prod/cmd/common/zk_access.h"
#include "prod/cmd/lumberjack/lumberjack_flags.h"
#include "prod/delivery/nginx_configurator.h"
#include "prod/delivery/nginx_s3_origin.h"
#include "prod/delivery/published_retention.h"
#include "prod/http/metrics_endpoint.h"
#include "prod/logging/logfmt.h"
#include "prod/lumberjack/lumberjack_metrics.h"
#include "prod/lumberjack/status_page.h"
#include "prod/push/https_post_destinations.h"
#include "prod/push/s3_destinations.h"
#include "prod/push/sftp_destinations.h"
#include "prod/push/syslog_destinations.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/command_runner.h"
#include "prod/real/tls_network.h"
#include "prod/real/zk_coordinator.h"
#include "prod/storage/bucket_object_store.h"
#include "prod/storage/directory_object_store.h"

namespace {

using lj::cmd::AppliedFlags;

// The S3 origin's directives, beside nginx.conf (Daemon::write_s3_origin).
constexpr const char* kS3OriginFile = "s3-origin.conf";

// Writes `text` to `path` whole, readable by its owner alone whatever was there before: a
// temporary file made 0600 before a byte of the secret is in it, synced, renamed into place.
std::optional<std::string> write_secret_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + temporary + ": " + std::strerror(errno);
  bool written = ::fchmod(fd, 0600) == 0;
  for (size_t at = 0; written && at < text.size();) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    written = n > 0;
    if (written) at += static_cast<size_t>(n);
  }
  written = written && ::fsync(fd) == 0;
  written = ::close(fd) == 0 && written;
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  return std::nullopt;
}
using lj::cmd::LumberjackFlags;

int usage(const std::string& why) {
  std::fprintf(stderr, "lumberjack: %s (lumberjack --help: every flag)\n", why.c_str());
  return 2;
}

// Push delivery: SFTP, S3, syslog and HTTPS on threads of their own (libssh, libcurl and the
// syslog sender block), each call
// within the deadline. Sixteen threads each: a call mostly waits on its server, and a few hung
// servers must not hold up the pushes to every other (each holds a thread for at most its
// deadline).
struct PushDelivery {
  PushDelivery(const std::string& ssh_key, lj::Duration put_timeout,
               lj::push::S3DestinationsOptions s3_options,
               lj::push::SyslogDestinationsOptions syslog_options,
               lj::push::HttpsPostDestinationsOptions https_options, lj::RealRuntime& runtime)
      : sftp(
            lj::push::SftpOptions{
                ssh_key,
                std::max(std::chrono::seconds(1),
                         std::chrono::duration_cast<std::chrono::seconds>(put_timeout)),
                16},
            runtime.cross_thread_poster()),
        s3(std::move(s3_options), runtime.cross_thread_poster()),
        syslog(std::move(syslog_options), runtime.cross_thread_poster()),
        https(std::move(https_options), runtime.cross_thread_poster()),
        by_scheme(sftp, s3, syslog, https) {}

  lj::push::SftpDestinations sftp;
  lj::push::S3Destinations s3;
  lj::push::SyslogDestinations syslog;
  lj::push::HttpsPostDestinations https;
  lj::push::PushDestinationsByScheme by_scheme;
};

// The node and everything it is wired to, in the order they must outlive each other: the
// runtime (declared before the daemon) ends every loop before any of these go.
class Daemon {
 public:
  Daemon(lj::RealRuntime& runtime, LumberjackFlags& flags, const AppliedFlags& applied)
      : runtime_(runtime), env_(runtime.env()), flags_(flags), applied_(applied) {}

  // Connects the pieces; a usage problem (a credential or CA file) if one cannot be.
  std::optional<std::string> wire();
  // Runs until SIGTERM or SIGINT; the exit status.
  int run();

 private:
  void log(const char* level, const std::string& message) const;
  lj::Result<std::unique_ptr<lj::ObjectStore>> open_store();
  std::optional<std::string> wire_push();
  std::optional<std::string> write_s3_origin(const std::string& nginx_dir) const;
  void start_nginx();
  std::optional<std::string> serve_pages();
  void announce() const;

  lj::RealRuntime& runtime_;
  lj::Env env_;
  LumberjackFlags& flags_;
  lj::lumberjack::LumberjackOptions& options_ = flags_.options;
  const AppliedFlags& applied_;
  std::unique_ptr<lj::ZkCoordinator> coordinator_;
  std::unique_ptr<lj::TlsNetwork> storage_tls_;   // HTTPS to the WebDAV store
  std::unique_ptr<lj::S3Bucket> storage_bucket_;  // the S3 store: outlives store_
  std::unique_ptr<lj::ObjectStore> store_;
  std::unique_ptr<lj::delivery::PublishedRetention> published_retention_;
  std::unique_ptr<lj::Network> graceland_network_;  // the node's only connections
  std::optional<lj::Env> node_env_;
  std::unique_ptr<PushDelivery> push_;
  std::unique_ptr<lj::lumberjack::LumberjackNode> node_;
  std::unique_ptr<lj::delivery::NginxConfigurator> nginx_;
  bool nginx_finished_ = true;
  std::unique_ptr<lj::lumberjack::StatusPage> status_page_;
  bool status_page_finished_ = false;
  std::unique_ptr<lj::MetricsEndpoint> metrics_;
};

void Daemon::log(const char* level, const std::string& message) const {
  std::fputs(
      lj::logfmt_line(env_.clock.wall_now_ms(), level, "lumberjack", "node", options_.name, message)
          .c_str(),
      stderr);
}

// A directory store's root is the runtime's data root: storage paths are relative to it.
lj::Result<std::unique_ptr<lj::ObjectStore>> Daemon::open_store() {
  if (applied_.s3) {
    storage_bucket_ = std::make_unique<lj::S3Bucket>(*applied_.s3, runtime_.cross_thread_poster());
    return std::unique_ptr<lj::ObjectStore>(
        std::make_unique<lj::BucketObjectStore>(*storage_bucket_));
  }
  if (flags_.storage_webdav.empty()) {
    return std::unique_ptr<lj::ObjectStore>(
        std::make_unique<lj::DirectoryObjectStore>(env_.files, env_.random, "."));
  }
  if (!flags_.storage_ca.empty()) {
    lj::TlsClientOptions tls;
    tls.ca_file = flags_.storage_ca;
    auto created = lj::TlsNetwork::create(env_.network, tls);
    if (!created.ok()) {
      return lj::Error(created.code(), "--storage-ca: " + created.error().to_string());
    }
    storage_tls_ = std::move(*created);
  }
  lj::Network& network = storage_tls_ ? *storage_tls_ : env_.network;
  return std::unique_ptr<lj::ObjectStore>(
      std::make_unique<lj::WebDavObjectStore>(network, env_.clock, env_.executor, applied_.webdav));
}

std::optional<std::string> Daemon::wire_push() {
  lj::push::S3DestinationsOptions s3;
  if (!flags_.push_credentials_file.empty()) {
    lj::Result<lj::push::PushCredentials> credentials =
        lj::push::read_push_credentials(flags_.push_credentials_file);
    if (!credentials.ok()) return credentials.error().message();
    s3.credentials = std::move(*credentials);
  }
  s3.client.ca_file = flags_.push_ca_file;
  s3.client.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.push.put_timeout);
  s3.threads = 16;
  lj::push::SyslogDestinationsOptions syslog;
  if (!flags_.push_key_file.empty()) {
    std::string pem;
    if (!lj::read_file_text(flags_.push_key_file, pem))
      return "--push-key: cannot read " + flags_.push_key_file;
    lj::Result<lj::RsaPrivateKey> key = lj::RsaPrivateKey::from_pem(pem);
    if (!key.ok()) return "--push-key " + flags_.push_key_file + ": " + key.error().message();
    syslog.push_key = std::make_shared<const lj::RsaPrivateKey>(std::move(*key));
    options_.push_key =
        std::make_shared<const lj::RsaPublicKey>(lj::RsaPublicKey::of(*syslog.push_key));
  }
  syslog.ca_file = flags_.push_ca_file;
  syslog.timeout = s3.client.timeout;
  syslog.frames.hostname = options_.name;
  syslog.threads = 16;
  lj::push::HttpsPostDestinationsOptions https;
  https.push_key = syslog.push_key;
  https.credentials = s3.credentials;
  https.ca_file = flags_.push_ca_file;
  https.timeout = s3.client.timeout;
  https.threads = 16;
  push_ =
      std::make_unique<PushDelivery>(flags_.push_ssh_key, options_.push.put_timeout, std::move(s3),
                                     std::move(syslog), std::move(https), runtime_);
  options_.push_destinations = &push_->by_scheme;
  return std::nullopt;
}

std::optional<std::string> Daemon::wire() {
  const lj::LogLevel threshold = flags_.log_level.level();
  options_.log = [this, threshold](lj::LogLevel level, std::string_view line) {
    if (level <= threshold) log(lj::log_level_name(level), std::string(line));
  };
  lj::Result<lj::ZkAccess> zk_access = lj::cmd::zk_access(flags_.zk_auth, options_.layout);
  if (!zk_access.ok()) return zk_access.error().to_string();
  coordinator_ =
      std::make_unique<lj::ZkCoordinator>(flags_.zookeeper, runtime_, false, std::move(*zk_access));
  lj::Result<std::unique_ptr<lj::ObjectStore>> store = open_store();
  if (!store.ok()) return store.error().message();
  store_ = std::move(*store);
  options_.retention_interval = lj::delivery::PublishedRetention::interval(applied_.retention);
  published_retention_ = std::make_unique<lj::delivery::PublishedRetention>(
      *store_, env_.clock, applied_.retention, options_.log);
  options_.expire_old_files = [this](const lj::lumberjack::CustomerConfig& config) {
    return published_retention_->run(config);
  };
  lj::Result<lj::Env> node_env =
      lj::cmd::graceland_env(env_, flags_.graceland_tls, graceland_network_);
  if (!node_env.ok()) return node_env.error().to_string();
  node_env_.emplace(*node_env);
  if (std::optional<std::string> problem = wire_push()) return problem;
  node_ = std::make_unique<lj::lumberjack::LumberjackNode>(*node_env_, *coordinator_, *store_,
                                                           options_);
  if (applied_.s3 && !flags_.nginx_dir.empty()) {
    if (std::optional<std::string> problem = write_s3_origin(flags_.nginx_dir))
      return "--storage-s3 with --nginx-dir: " + *problem;
  }
  return std::nullopt;
}

// With the store on S3, nginx fetches each customer's files from the bucket, signed with the
// store's key: the directives its file locations include, written before any customer is.
std::optional<std::string> Daemon::write_s3_origin(const std::string& nginx_dir) const {
  const lj::S3BucketOptions& s3 = *applied_.s3;
  const std::string ca =
      s3.client.ca_file.empty() ? "" : std::filesystem::absolute(s3.client.ca_file).string();
  lj::Result<std::string> rendered = lj::delivery::render_nginx_s3_origin(
      {s3.url.host, s3.url.port, s3.url.region, s3.url.bucket, s3.url.prefix,
       applied_.s3_read.access_key_id, applied_.s3_read.secret_access_key, ca});
  if (!rendered.ok()) return rendered.error().message();
  return write_secret_file(nginx_dir + "/" + kS3OriginFile, *rendered);
}

// --nginx-dir (delivery): keep this node's nginx serving exactly the customers in ZooKeeper.
void Daemon::start_nginx() {
  if (flags_.nginx_dir.empty()) return;
  // Absolute: the runtime's files resolve it outside the data root.
  const std::string dir = std::filesystem::absolute(flags_.nginx_dir).lexically_normal().string();
  lj::delivery::NginxConfiguratorOptions nginx_options;
  nginx_options.layout = options_.layout;
  nginx_options.nginx_dir = dir;
  if (applied_.s3) nginx_options.render.file_origin = kS3OriginFile;
  nginx_options.log = [this](lj::LogLevel level, std::string_view line) {
    options_.log(level, "nginx: " + std::string(line));
  };
  nginx_ = std::make_unique<lj::delivery::NginxConfigurator>(
      env_, *coordinator_, nginx_options,
      lj::nginx_reloader(env_.clock, "nginx", dir, dir + "/nginx.conf"));
  nginx_finished_ = false;
  env_.executor.spawn(
      [](lj::delivery::NginxConfigurator& configurator, bool& finished) -> lj::Task<void> {
        co_await configurator.run();
        finished = true;
      }(*nginx_, nginx_finished_));
}

// /metrics, and the status page: the cluster as `lj ctl status` shows it, read only while
// someone looks.
std::optional<std::string> Daemon::serve_pages() {
  status_page_ = std::make_unique<lj::lumberjack::StatusPage>(
      *node_env_, *coordinator_, options_.layout, options_.name, std::chrono::seconds(5));
  env_.executor.spawn([](lj::lumberjack::StatusPage& page, bool& finished) -> lj::Task<void> {
    co_await page.run();
    finished = true;
  }(*status_page_, status_page_finished_));
  lj::lumberjack::StatusPage& page = *status_page_;
  std::map<std::string, lj::Page> pages;
  pages["/status"] = {"text/html; charset=utf-8", [&page] { return page.html(); }};
  pages["/status.json"] = {"application/json", [&page] { return page.json(); }};
  auto metrics = lj::MetricsEndpoint::start(
      env_, flags_.metrics_listen,
      [this] {
        return lj::lumberjack::render_metrics(node_->status(), node_->customer_progress());
      },
      std::move(pages));
  if (!metrics.ok()) return "metrics: " + metrics.error().to_string();
  metrics_ = std::move(*metrics);
  return std::nullopt;
}

// "ready <metrics address>" on stdout and, written whole, in --ready-file.
void Daemon::announce() const {
  const std::string address = metrics_->address();
  if (!flags_.ready_file.empty()) {
    std::ofstream(flags_.ready_file + ".tmp") << address << "\n";
    std::rename((flags_.ready_file + ".tmp").c_str(), flags_.ready_file.c_str());
  }
  std::printf("ready %s\n", address.c_str());
  std::fflush(stdout);
  log("info", "running; zookeeper " + flags_.zookeeper + ", storage " +
                  (!flags_.storage_dir.empty()  ? flags_.storage_dir
                   : !flags_.storage_s3.empty() ? "s3 " + flags_.storage_s3
                                                : "webdav " + flags_.storage_webdav) +
                  ", metrics " + address);
}

int Daemon::run() {
  start_nginx();
  if (std::optional<std::string> problem = serve_pages()) {
    log("error", *problem);
    return 1;
  }
  announce();
  runtime_.on_termination_signal([this](int signal) {
    log("info", "signal " + std::to_string(signal) + ": stopping");
    node_->stop();
    status_page_->stop();
    if (nginx_) nginx_->stop();
  });
  runtime_.run(node_->run());
  while (!nginx_finished_ || !status_page_finished_) {  // --nginx-dir, the status page's session
    runtime_.run(env_.clock.sleep_for(std::chrono::milliseconds(50)));
  }
  const auto& status = node_->status();
  log("info", "stopped: files=" + std::to_string(status.files_published) +
                  " events=" + std::to_string(status.events_published));
  runtime_.shutdown();  // end every loop before the objects they use go
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  LumberjackFlags flags;
  flags.file_threads = lj::RealRuntime::spare_cores();
  CLI::App app{
      "lumberjack: a node of the Lumberjack cluster. It registers as a worker, stands in the "
      "master election, and turns its customers' events into published log files. SIGTERM stops "
      "it cleanly.",
      "lumberjack"};
  lj::cmd::declare_flags(app, flags);
  if (std::optional<int> done =
          lj::cmd::parse_daemon_command_line(app, argc, argv, flags.print_config)) {
    return *done;
  }
  AppliedFlags applied;
  if (std::optional<std::string> problem = lj::cmd::apply_flags(flags, applied))
    return usage(*problem);
  lj::RealRuntime runtime(flags.storage_dir.empty() ? "." : flags.storage_dir, flags.file_threads);
  Daemon daemon(runtime, flags, applied);
  if (std::optional<std::string> problem = daemon.wire()) return usage(*problem);
  return daemon.run();
}
