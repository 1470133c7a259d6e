// lumberjack: one node of the Lumberjack cluster.
//
//   lumberjack --name lj-1 --zookeeper 127.0.0.1:2181[,...] (--storage-dir /srv/lj-storage |
//              --storage-webdav HOST:PORT/PATH)
//              [--zk-root /lj] [--session-timeout-ms 4000] [--metrics-listen 127.0.0.1:9300]
//              [--pops ams=HOST:PORT,fra=HOST:PORT] [--ready-file PATH] [--nginx-dir DIR]
//              [--retention-hours 48]   published files older than this leave storage and
//              logs.index
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
//              (prod/cmd/common/zk_access.h)
//              [--storage-ca FILE] [--storage-user NAME --storage-password-file FILE]
//                 the WebDAV store over HTTPS (its certificate verified against FILE), with
//                 Basic credentials (refused over plain HTTP: they would cross in clear)
//   lumberjack --config FILE [flags]     the same flags from a TOML or INI file (the command line
//   wins) lumberjack [flags] --print-config    the effective configuration, as such a file
//   lumberjack --help                    every flag, with its default and range
//
// It registers as a worker, stands in the master election, and delivers the customers it is
// assigned (LumberjackNode). Gracelands are found in ZooKeeper unless --pops lists them.
// Storage is a directory (local, or a shared mount for several machines), or an HTTP WebDAV
// server (nginx with dav_methods PUT DELETE MOVE) as the central store of several machines. Metrics
// are served at http://<metrics-listen>/metrics in the Prometheus text format. Logs are logfmt
// lines on stderr; "ready <metrics address>" on stdout (and in --ready-file) once it runs. SIGTERM
// or SIGINT: stop, close the session (its ephemeral nodes go at once), exit 0.
// --nginx-dir: this node's nginx prefix (DIR/nginx.conf from ci/nginx/node.conf.template); the
// customers in ZooKeeper are rendered into DIR/customers.conf and DIR/htpasswd/, and nginx is
// reloaded (`nginx -s reload -p DIR -c DIR/nginx.conf`) on every change (NginxConfigurator).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/common/graceland_tls.h"
#include "prod/cmd/common/zk_access.h"
#include "prod/cmd/parse_number.h"
#include "prod/delivery/nginx_configurator.h"
#include "prod/delivery/published_retention.h"
#include "prod/http/metrics_endpoint.h"
#include "prod/logging/logfmt.h"
#include "prod/lumberjack/lumberjack_metrics.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/lumberjack/status_page.h"
#include "prod/push/s3_destinations.h"
#include "prod/push/sftp_destinations.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/command_runner.h"
#include "prod/real/tls_network.h"
#include "prod/real/zk_coordinator.h"
#include "prod/storage/directory_object_store.h"
#include "prod/storage/webdav_object_store.h"

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr, "lumberjack: %s (lumberjack --help: every flag)\n", why.c_str());
  return 2;
}

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

}  // namespace

int main(int argc, char** argv) {
  lj::lumberjack::LumberjackOptions options;
  std::string zookeeper, storage_dir, storage_webdav, metrics_listen = "127.0.0.1:0", ready_file;
  std::string retention_hours = "48", pops;
  int64_t retention_ms = 48ll * 3600 * 1000;
  unsigned file_threads = lj::RealRuntime::spare_cores();  // --file-threads (offload threads)
  std::string nginx_dir;                                   // --nginx-dir (delivery)
  lj::cmd::GracelandTlsFlags graceland_tls;
  std::string storage_ca, storage_user, storage_password_file;  // the WebDAV hop
  std::string zk_auth;  // --zk-auth FILE (prod/cmd/common/zk_access.h)
  int64_t session_timeout_ms = options.session_timeout.count() / 1'000'000;
  int64_t graceland_timeout_ms = options.pipeline.pop_call_timeout.count() / 1'000'000;
  int64_t load_report_ms = options.load_report_interval.count() / 1'000'000;
  int64_t checkpoint_budget = static_cast<int64_t>(options.checkpoint_commits_per_s);
  int64_t balance_tolerance_pct = static_cast<int64_t>(options.balance.tolerance * 100);
  std::string push_ssh_key;  // --push-ssh-key (push delivery over SFTP)
  std::string push_credentials_file,
      push_ca_file;  // --push-credentials, --push-ca-file (push to S3)
  int64_t push_timeout_ms = options.push.put_timeout.count() / 1'000'000;
  lj::cmd::LogLevelFlag log_level;  // --log-level
  bool print_config = false;
  CLI::App app{
      "lumberjack: a node of the Lumberjack cluster. It registers as a worker, stands in the "
      "master "
      "election, and turns its customers' events into published log files. SIGTERM stops it "
      "cleanly.",
      "lumberjack"};
  lj::cmd::add_config_file(app, print_config);
  app.add_option("--name", options.name, "this node's name (its worker id adds the session)")
      ->required();
  app.add_option("--zookeeper", zookeeper, "ZooKeeper's hosts: HOST:PORT,...")->required();
  CLI::Option* dir = app.add_option("--storage-dir", storage_dir,
                                    "the central store as a directory (local or a "
                                    "shared mount)");
  CLI::Option* dav = app.add_option("--storage-webdav", storage_webdav,
                                    "the central store as a WebDAV server: "
                                    "HOST:PORT[/PATH]");
  dir->excludes(dav);
  app.add_option("--storage-ca", storage_ca,
                 "the WebDAV store over HTTPS: its certificate verified against this CA");
  app.add_option("--storage-user", storage_user,
                 "the WebDAV store's Basic user (needs --storage-ca)");
  app.add_option("--storage-password-file", storage_password_file,
                 "its password, on the first line of this file");
  app.add_option("--zk-root", options.layout.root, "the cluster's root in ZooKeeper")
      ->capture_default_str();
  app.add_option("--zk-auth", zk_auth,
                 "ZooKeeper digest credential and ACLs (prod/cmd/common/zk_access.h)");
  app.add_option("--session-timeout-ms", session_timeout_ms, "the ZooKeeper session's timeout")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{400}, int64_t{600'000}));
  app.add_option("--retention-hours", retention_hours,
                 "published files older than this leave storage and logs.index, 1 minute (0.0167) "
                 "to 10 years")
      ->capture_default_str()
      ->check(lj::cmd::parses_as("hours, 0.0167 to 87600", [](const std::string& text) {
        int64_t ms = 0;
        return lj::cmd::parse_hours_as_ms(text, lj::cmd::kMinRetentionMs, lj::cmd::kMaxRetentionMs,
                                          ms);
      }));
  app.add_option("--graceland-timeout-ms", graceland_timeout_ms,
                 "every Graceland call ends by then (a silent PoP)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  app.add_option("--checkpoint-budget", checkpoint_budget,
                 "checkpoint commits/s the whole cluster's files may cost by rolling on age: with "
                 "N customers "
                 "in the cluster none rolls by age before N/budget s (0: no budget; the same on "
                 "every node)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  app.add_option("--load-report-ms", load_report_ms,
                 "how often this node reports its customers' events/s (the "
                 "master balances customers by them)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  app.add_option("--balance-tolerance-pct", balance_tolerance_pct,
                 "loads within this of the mean move no customer")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  app.add_option("--file-threads", file_threads,
                 "threads that write log files (format, compress, encrypt) beside "
                 "the event loop; 0 writes them on the loop")
      ->capture_default_str()
      ->check(CLI::Range(0u, 256u));
  app.add_option("--pops", pops, "the Gracelands, POP=HOST:PORT,... (default: found in ZooKeeper)")
      ->check(lj::cmd::parses_as("POP=HOST:PORT,...", [](const std::string& text) {
        std::map<std::string, std::string> scratch;
        return parse_pops(text, scratch);
      }));
  app.add_option(
         "--metrics-listen", metrics_listen,
         "serve /metrics (Prometheus text) and the status page (/status, /status.json) here")
      ->capture_default_str();
  app.add_option("--ready-file", ready_file, "write the metrics address here once running");
  app.add_option("--nginx-dir", nginx_dir,
                 "this node's nginx prefix: customers rendered there, nginx reloaded");
  app.add_option("--push-ssh-key", push_ssh_key,
                 "this node's private key (OpenSSH format) for pushing customers' files to their "
                 "SFTP servers; "
                 "customers authorize its public key")
      ->check(CLI::ExistingFile);
  app.add_option("--push-credentials", push_credentials_file,
                 "the key pairs customers' S3 pushes are signed with, NAME ACCESS_KEY_ID SECRET a "
                 "line (mode 0600); "
                 "a customer names one with lj ctl set --push-credential")
      ->check(CLI::ExistingFile);
  app.add_option("--push-ca-file", push_ca_file,
                 "S3 push destinations' certificates are verified against these CAs (default: the "
                 "system's)")
      ->check(CLI::ExistingFile);
  app.add_option("--push-timeout-ms", push_timeout_ms,
                 "every push to a customer's destination ends by then")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  graceland_tls.add_to(app);
  lj::cmd::add_log_level(app, log_level);
  if (std::optional<int> done = lj::cmd::parse_daemon_command_line(app, argc, argv, print_config))
    return *done;
  (void)lj::cmd::parse_hours_as_ms(retention_hours, lj::cmd::kMinRetentionMs,
                                   lj::cmd::kMaxRetentionMs,
                                   retention_ms);                  // checked above
  if (!pops.empty()) (void)parse_pops(pops, options.static_pops);  // checked above
  options.session_timeout = std::chrono::milliseconds(session_timeout_ms);
  options.pipeline.pop_call_timeout = std::chrono::milliseconds(graceland_timeout_ms);
  options.load_report_interval = std::chrono::milliseconds(load_report_ms);
  options.checkpoint_commits_per_s = static_cast<double>(checkpoint_budget);
  options.balance.tolerance = static_cast<double>(balance_tolerance_pct) / 100;
  options.push.put_timeout = std::chrono::milliseconds(push_timeout_ms);
  if (zookeeper.empty() || storage_dir.empty() == storage_webdav.empty()) {
    return usage("--zookeeper and one of --storage-dir or --storage-webdav are required");
  }
  lj::WebDavOptions webdav;
  if (!storage_webdav.empty()) {
    const size_t slash = storage_webdav.find('/');
    webdav.address = storage_webdav.substr(0, slash);
    webdav.base_path = slash == std::string::npos ? "" : storage_webdav.substr(slash);
    while (!webdav.base_path.empty() && webdav.base_path.back() == '/') webdav.base_path.pop_back();
    if (!lj::parse_host_port(webdav.address).ok())
      return usage("--storage-webdav wants HOST:PORT[/PATH]");
    if (storage_user.empty() != storage_password_file.empty()) {
      return usage("--storage-user and --storage-password-file go together");
    }
    if (!storage_user.empty()) {
      if (storage_ca.empty())
        return usage("--storage-user needs --storage-ca: credentials never cross in clear");
      const std::optional<std::string> text = lj::read_file_text(storage_password_file);
      const std::string password = text ? text->substr(0, text->find('\n')) : "";
      if (password.empty()) {
        return usage("--storage-password-file " + storage_password_file +
                     ": no password on its first line");
      }
      webdav.credentials = lj::BasicCredentials{storage_user, password};
      if (auto checked = lj::basic_authorization(webdav.credentials); !checked.ok()) {
        return usage("--storage-user: " + checked.error().message());
      }
    }
  } else if (!storage_ca.empty() || !storage_user.empty()) {
    return usage("--storage-ca and --storage-user are for --storage-webdav");
  }
  if (const std::string problem = graceland_tls.problem(); !problem.empty()) return usage(problem);
  if (options.layout.root.empty() || options.layout.root[0] != '/' ||
      options.layout.root.back() == '/') {
    return usage("--zk-root is an absolute ZooKeeper path like /lj");
  }

  lj::RealRuntime runtime(storage_dir.empty() ? "." : storage_dir, file_threads);
  lj::Env env = runtime.env();
  auto log = [&](const char* level, const std::string& message) {
    std::fputs(
        lj::logfmt_line(env.clock.wall_now_ms(), level, "lumberjack", "node", options.name, message)
            .c_str(),
        stderr);
  };
  options.log = [&log, threshold = log_level.level()](lj::LogLevel level, std::string_view line) {
    if (level <= threshold) log(lj::log_level_name(level), std::string(line));
  };
  lj::Result<lj::ZkAccess> zk_access = lj::cmd::zk_access(zk_auth, options.layout);
  if (!zk_access.ok()) return usage(zk_access.error().to_string());
  lj::ZkCoordinator coordinator(zookeeper, runtime, false, std::move(*zk_access));
  std::unique_ptr<lj::TlsNetwork> storage_tls;  // HTTPS to the WebDAV store
  if (!storage_ca.empty()) {
    lj::TlsClientOptions tls;
    tls.ca_file = storage_ca;
    auto created = lj::TlsNetwork::create(env.network, tls);
    if (!created.ok()) return usage("--storage-ca: " + created.error().to_string());
    storage_tls = std::move(*created);
  }
  // A directory store's root is the runtime's data root: storage paths are relative to it.
  std::unique_ptr<lj::ObjectStore> store;
  if (storage_webdav.empty())
    store = std::make_unique<lj::DirectoryObjectStore>(env.files, env.random, ".");
  if (!storage_webdav.empty()) {
    lj::Network& storage_network = storage_tls ? *storage_tls : env.network;
    store =
        std::make_unique<lj::WebDavObjectStore>(storage_network, env.clock, env.executor, webdav);
  }
  const lj::Duration retention = std::chrono::milliseconds(retention_ms);
  options.retention_interval = lj::delivery::PublishedRetention::interval(retention);
  lj::delivery::PublishedRetention published_retention(*store, env.clock, retention, options.log);
  options.expire_old_files = [&published_retention](const lj::lumberjack::CustomerConfig& config) {
    return published_retention.run(config);
  };
  // The node's only connections are to Gracelands (storage and metrics have their own).
  std::unique_ptr<lj::Network> graceland_network;
  lj::Result<lj::Env> node_env = lj::cmd::graceland_env(env, graceland_tls, graceland_network);
  if (!node_env.ok()) return usage(node_env.error().to_string());
  // Push delivery: SFTP and S3 on threads of their own (libssh and libcurl block), each call
  // within the deadline.
  // Sixteen: a call mostly waits on its server, and a few hung servers must not hold up the
  // pushes to every other (each holds a thread for at most its deadline).
  lj::push::SftpDestinations sftp_destinations(
      lj::push::SftpOptions{
          push_ssh_key,
          std::max(std::chrono::seconds(1),
                   std::chrono::duration_cast<std::chrono::seconds>(options.push.put_timeout)),
          16},
      runtime.cross_thread_poster());
  lj::push::S3DestinationsOptions s3;
  if (!push_credentials_file.empty()) {
    lj::Result<lj::push::PushCredentials> credentials =
        lj::push::read_push_credentials(push_credentials_file);
    if (!credentials.ok()) return usage(credentials.error().message());
    s3.credentials = std::move(*credentials);
  }
  s3.client.ca_file = push_ca_file;
  s3.client.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.push.put_timeout);
  s3.threads = 16;
  lj::push::S3Destinations s3_destinations(std::move(s3), runtime.cross_thread_poster());
  lj::push::PushDestinationsByScheme push_by_scheme(sftp_destinations, s3_destinations);
  options.push_destinations = &push_by_scheme;
  lj::lumberjack::LumberjackNode node(*node_env, coordinator, *store, options);

  // --nginx-dir (delivery): keep this node's nginx serving exactly the customers in ZooKeeper.
  std::unique_ptr<lj::delivery::NginxConfigurator> nginx;
  bool nginx_finished = true;
  if (!nginx_dir.empty()) {
    const std::string dir = std::filesystem::absolute(nginx_dir).lexically_normal().string();
    lj::delivery::NginxConfiguratorOptions nginx_options;
    nginx_options.layout = options.layout;
    nginx_options.nginx_dir =
        dir;  // absolute: the runtime's files resolve it outside the data root
    nginx_options.log = [&options](lj::LogLevel level, std::string_view line) {
      options.log(level, "nginx: " + std::string(line));
    };
    nginx = std::make_unique<lj::delivery::NginxConfigurator>(
        env, coordinator, nginx_options,
        lj::nginx_reloader(env.clock, "nginx", dir, dir + "/nginx.conf"));
    nginx_finished = false;
    env.executor.spawn(
        [](lj::delivery::NginxConfigurator& configurator, bool& finished) -> lj::Task<void> {
          co_await configurator.run();
          finished = true;
        }(*nginx, nginx_finished));
  }

  // The status page: the cluster as `lj ctl status` shows it, read only while someone looks.
  lj::lumberjack::StatusPage status_page(*node_env, coordinator, options.layout, options.name,
                                         std::chrono::seconds(5));
  bool status_page_finished = false;
  env.executor.spawn([](lj::lumberjack::StatusPage& page, bool& finished) -> lj::Task<void> {
    co_await page.run();
    finished = true;
  }(status_page, status_page_finished));
  std::map<std::string, lj::Page> pages;
  pages["/status"] = {"text/html; charset=utf-8", [&status_page] { return status_page.html(); }};
  pages["/status.json"] = {"application/json", [&status_page] { return status_page.json(); }};
  auto metrics = lj::MetricsEndpoint::start(
      env, metrics_listen,
      [&node] { return lj::lumberjack::render_metrics(node.status(), node.customer_progress()); },
      std::move(pages));
  if (!metrics.ok()) {
    log("error", "metrics: " + metrics.error().to_string());
    return 1;
  }
  const std::string address = (*metrics)->address();
  if (!ready_file.empty()) {
    std::ofstream(ready_file + ".tmp") << address << "\n";
    std::rename((ready_file + ".tmp").c_str(), ready_file.c_str());
  }
  std::printf("ready %s\n", address.c_str());
  std::fflush(stdout);
  log("info", "running; zookeeper " + zookeeper + ", storage " +
                  (storage_dir.empty() ? "webdav " + storage_webdav : storage_dir) + ", metrics " +
                  address);

  bool stopped = false;
  runtime.on_termination_signal([&](int signal) {
    log("info", "signal " + std::to_string(signal) + ": stopping");
    node.stop();
    status_page.stop();
    if (nginx) nginx->stop();
  });
  runtime.run([](lj::lumberjack::LumberjackNode& n, bool& done) -> lj::Task<void> {
    co_await n.run();
    done = true;
  }(node, stopped));
  while (!nginx_finished || !status_page_finished) {  // --nginx-dir, the status page's session
    runtime.run(env.clock.sleep_for(std::chrono::milliseconds(50)));
  }
  const auto& status = node.status();
  log("info", "stopped: files=" + std::to_string(status.files_published) +
                  " events=" + std::to_string(status.events_published));
  runtime.shutdown();  // end every loop before the objects they use (declared after it) go
  return 0;
}
