// graceland: the per-PoP collector daemon.
//
//   graceland --pop ams --listen 127.0.0.1:9100 --data-dir /var/lib/graceland
//             (--tls-cert FILE --tls-key FILE --client-ca FILE | --plaintext)
//             [--retention-hours 48] [--segment-mb 64] [--ready-file PATH] [--idle-timeout-s 120]
//             [--zookeeper HOSTS [--zk-root /lj] [--zk-auth FILE] [--advertise HOST:PORT]]
//             [--max-open-writers 1024] [--account-quota BYTES] [--max-store-bytes BYTES]
//             [--disk-reserve 1G] [--metrics-listen 127.0.0.1:9101]
//   graceland --config FILE [flags]    the same flags from a TOML or INI file (the command
//                                      line wins)
//   graceland [flags] --print-config   the configuration they make, as such a file
//   graceland --help                   every flag, with its default and form
//
// Clients speak mutual TLS: Graceland presents --tls-cert, and every client must present a
// certificate signed by --client-ca whose OU is its role (prod/graceland/peer_grant.h): proxies
// send only their own ids, Lumberjack nodes and operators only list and read. --plaintext turns
// all of that off, for benchmarks and a developer's machine: anyone who reaches the port may
// then read every customer's events and inject forged ones.
//
// Bounds (docs/security.md): at most --max-open-writers segment files open beyond those awaiting
// the next group commit (idle accounts' writers close, least recently appended first); a batch
// that would take an account's kept segments past --account-quota, all of them past
// --max-store-bytes, or the disk's free space under --disk-reserve is refused whole
// (kResourceExhausted: the proxy retries, perhaps at another PoP), acknowledged data untouched.
// Byte counts take K, M, G, T (powers of 1024); 0 turns a byte limit off.
//
// --metrics-listen serves /metrics in the Prometheus text format there (graceland_metrics.h):
// no authentication and no customer in it, but an internal interface only all the same.
//
// With --zookeeper it registers its PoP and address (--advertise, default the listen address)
// as an ephemeral node <zk-root>/gracelands/<pop>, where Lumberjack workers find it.
// Logs are logfmt lines on stderr. Once it listens, it prints "ready <address>" on stdout and,
// with --ready-file, writes the address there (scripts wait for that file). SIGTERM or SIGINT
// stops accepting, lets acknowledged work finish, and exits 0.

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/zk_access.h"
#include "prod/cmd/parse_number.h"
#include "prod/graceland/graceland_metrics.h"
#include "prod/graceland/graceland_server.h"
#include "prod/graceland/registration.h"
#include "prod/graceland/wire.h"
#include "prod/http/metrics_endpoint.h"
#include "prod/logging/logfmt.h"
#include "prod/lumberjack/zk_layout.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/tls_server_network.h"
#include "prod/real/zk_coordinator.h"

namespace {

struct Flags {
  std::string pop;
  std::string listen = "127.0.0.1:9100";
  std::string data_dir;
  std::string ready_file;
  std::string metrics_listen;  // empty: no metrics listener
  int64_t retention_ms = 48ll * 3600 * 1000;
  double segment_mb = 64;
  int64_t idle_timeout_s = 120;
  std::string zookeeper;
  std::string zk_root = "/lj";
  std::string advertise;
  lj::TlsServerOptions tls;
  bool plaintext = false;
  std::string zk_auth;              // --zk-auth FILE (prod/cmd/common/zk_access.h)
  lj::cmd::LogLevelFlag log_level;  // --log-level
  uint64_t max_open_writers = 1024;
  uint64_t account_quota_bytes = 0;  // 0: none
  uint64_t max_store_bytes = 0;      // 0: none
  uint64_t disk_reserve_bytes = 1ull << 30;
  bool print_config = false;
};

// Declares every flag on `app`, each writing into `flags`.
void declare(CLI::App& app, Flags& flags, std::string& retention_hours) {
  lj::cmd::add_config_file(app, flags.print_config);
  app.add_option("--pop", flags.pop, "this PoP's name")->required();
  app.add_option("--data-dir", flags.data_dir,
                 "where segments are kept (created; the service's user only)")
      ->required();
  app.add_option("--listen", flags.listen, "HOST:PORT to serve on")->capture_default_str();
  app.add_option("--tls-cert", flags.tls.cert_file, "our certificate (mutual TLS)");
  app.add_option("--tls-key", flags.tls.key_file, "its private key");
  app.add_option("--client-ca", flags.tls.client_ca_file,
                 "the CA every client's certificate must be signed by; its OU "
                 "is the client's role");
  app.add_flag("--plaintext", flags.plaintext,
               "no TLS: anyone who reaches the port may read every customer's events "
               "and inject forged ones (benchmarks, a developer's machine)");
  app.add_option("--ready-file", flags.ready_file, "write the address here once listening");
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "serve /metrics (Prometheus text) here, HOST:PORT (default: not served)");
  app.add_option("--retention-hours", retention_hours,
                 "keep segments this long, 1 minute (0.0167) to 10 years")
      ->capture_default_str()
      ->check(lj::cmd::parses_as("hours, 0.0167 to 87600", [](const std::string& text) {
        int64_t ms = 0;
        return lj::cmd::parse_hours_as_ms(text, lj::cmd::kMinRetentionMs, lj::cmd::kMaxRetentionMs,
                                          ms);
      }));
  app.add_option("--segment-mb", flags.segment_mb, "a segment rolls at this size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-timeout-s", flags.idle_timeout_s, "drop a client silent this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-open-writers", flags.max_open_writers,
                 "segment files kept open beyond those awaiting a commit")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  const auto bytes = [](uint64_t& into, const std::string& text) {
    return lj::cmd::parse_bytes(text, into);
  };
  const std::pair<const char*, std::pair<uint64_t*, const char*>> limits[] = {
      {"--account-quota",
       {&flags.account_quota_bytes, "one account's kept segments at most (0: none)"}},
      {"--max-store-bytes", {&flags.max_store_bytes, "all kept segments at most (0: none)"}},
      {"--disk-reserve",
       {&flags.disk_reserve_bytes,
        "free space kept on the data directory's file system (0: none)"}},
  };
  for (const auto& [name, limit] : limits) {
    uint64_t* into = limit.first;
    app.add_option_function<std::string>(
           name, [into, bytes](const std::string& text) { bytes(*into, text); },
           std::string(limit.second) + "; BYTES with K, M, G or T (powers of 1024)")
        ->default_str(std::to_string(*into))
        ->check(lj::cmd::parses_as("BYTES[K|M|G|T]", [bytes](const std::string& text) {
          uint64_t scratch = 0;
          return bytes(scratch, text);
        }));
  }
  app.add_option("--zookeeper", flags.zookeeper,
                 "register this PoP with the cluster's ZooKeeper, HOST:PORT,...");
  app.add_option("--zk-root", flags.zk_root, "the cluster's root in ZooKeeper")
      ->capture_default_str();
  app.add_option("--zk-auth", flags.zk_auth,
                 "our ZooKeeper credentials file (prod/cmd/common/zk_access.h)");
  app.add_option("--advertise", flags.advertise,
                 "the address Lumberjack nodes reach us at (default: --listen)");
  lj::cmd::add_log_level(app, flags.log_level);
}

// Parses the command line (and --config). Returns an exit code to stop with, or nullopt.
std::optional<int> parse_flags(int argc, char** argv, Flags& flags) {
  CLI::App app{
      "graceland: a PoP's collector of attack events. Proxies send, Lumberjack nodes read; every "
      "acknowledged batch is fsynced first. SIGTERM stops it cleanly.",
      "graceland"};
  std::string retention_hours = "48";
  declare(app, flags, retention_hours);
  if (std::optional<int> done =
          lj::cmd::parse_daemon_command_line(app, argc, argv, flags.print_config))
    return done;
  (void)lj::cmd::parse_hours_as_ms(retention_hours, lj::cmd::kMinRetentionMs,
                                   lj::cmd::kMaxRetentionMs,
                                   flags.retention_ms);  // checked above
  const bool tls = !flags.tls.cert_file.empty() || !flags.tls.key_file.empty() ||
                   !flags.tls.client_ca_file.empty();
  if (tls == flags.plaintext) {
    std::fprintf(stderr, "graceland: %s\n",
                 flags.plaintext
                     ? "--plaintext and --tls-* exclude each other"
                     : "clients must authenticate: give --tls-cert, --tls-key and --client-ca (or "
                       "--plaintext where nobody untrusted can reach the port)");
    return 2;
  }
  return std::nullopt;
}

void log_line(lj::Clock& clock, const std::string& pop, const char* level,
              std::string_view message) {
  std::fputs(lj::logfmt_line(clock.wall_now_ms(), level, "graceland", "pop", pop, message).c_str(),
             stderr);
}

// The server listens through mutual TLS: connections carry the client's proven identity. A
// plaintext client is answered with why it is refused.
lj::Result<std::unique_ptr<lj::TlsServerNetwork>> listen_tls(lj::Env env, Flags& flags) {
  flags.tls.plaintext_refusal = lj::graceland::error_frame(
      lj::ErrorCode::kPermissionDenied,
      "this Graceland requires mutual TLS: connect with a client certificate "
      "from the operator's CA (--graceland-ca, --graceland-cert, --graceland-key)");
  return lj::TlsServerNetwork::create(env.network, flags.tls);
}

lj::graceland::GracelandOptions server_options(const Flags& flags, lj::LogSink log) {
  lj::graceland::GracelandOptions options;
  options.require_peer_identity = !flags.plaintext;
  options.pop = flags.pop;
  options.listen_address = flags.listen;
  options.store.root = "segments";
  options.store.retention_ms = flags.retention_ms;
  options.store.segment_max_bytes = static_cast<uint64_t>(flags.segment_mb * 1024 * 1024);
  options.store.max_open_writers = static_cast<size_t>(flags.max_open_writers);
  options.store.account_quota_bytes =
      flags.account_quota_bytes == 0 ? UINT64_MAX : flags.account_quota_bytes;
  options.store.max_store_bytes = flags.max_store_bytes == 0 ? UINT64_MAX : flags.max_store_bytes;
  options.store.disk_reserve_bytes = flags.disk_reserve_bytes;
  // A client silent this long (a request not finished, an answer not taken) is dropped.
  options.idle_timeout = std::chrono::seconds(flags.idle_timeout_s);
  options.log = std::move(log);
  return options;
}

// "ready <address>" on stdout and, written whole, in --ready-file.
void announce(const Flags& flags, const std::string& address) {
  if (!flags.ready_file.empty()) {
    std::ofstream(flags.ready_file + ".tmp") << address << "\n";
    std::rename((flags.ready_file + ".tmp").c_str(), flags.ready_file.c_str());
  }
  std::printf("ready %s\n", address.c_str());
  std::fflush(stdout);
}

lj::Task<void> until(lj::Clock& clock, const bool& stop) {
  while (!stop) co_await clock.sleep_for(std::chrono::milliseconds(200));
}

// A bounded wait: at most 5 s for `done`.
lj::Task<void> at_most_5s_for(lj::Clock& clock, const bool& done) {
  for (int i = 0; i < 50 && !done; ++i) co_await clock.sleep_for(std::chrono::milliseconds(100));
}

lj::Task<void> flag_when_done(lj::Task<void> task, bool& done) {
  co_await std::move(task);
  done = true;
}

// A Graceland serving until SIGTERM or SIGINT, and the objects its loops use: the runtime
// (declared before it) ends those loops before any of these go.
class Daemon {
 public:
  Daemon(lj::RealRuntime& runtime, Flags& flags)
      : runtime_(runtime), env_(runtime.env()), flags_(flags) {}
  // Starts the server, its metrics and its registration; an exit status if one cannot start.
  std::optional<int> start();
  int run();

 private:
  void log(const char* level, std::string_view message) const {
    log_line(env_.clock, flags_.pop, level, message);
  }
  std::optional<int> start_metrics();
  std::optional<int> start_registration(const std::string& address);

  lj::RealRuntime& runtime_;
  lj::Env env_;
  Flags& flags_;
  lj::LogSink log_sink_;
  std::unique_ptr<lj::TlsServerNetwork> tls_network_;
  std::unique_ptr<lj::graceland::GracelandServer> server_;
  std::unique_ptr<lj::MetricsEndpoint> metrics_;
  bool stopping_ = false;
  bool registration_done_ = true;
  std::optional<lj::ZkCoordinator> coordinator_;
};

std::optional<int> Daemon::start() {
  log_sink_ = [this, threshold = flags_.log_level.level()](lj::LogLevel level,
                                                           std::string_view line) {
    if (level <= threshold) log(lj::log_level_name(level), line);
  };
  if (!flags_.plaintext) {
    auto created = listen_tls(env_, flags_);
    if (!created.ok()) {
      log("error", "cannot start: " + created.error().to_string());
      return 1;
    }
    tls_network_ = std::move(*created);
  }
  const lj::Env server_env = tls_network_ ? lj::with_network(env_, *tls_network_) : env_;
  auto server = runtime_.run(
      lj::graceland::GracelandServer::start(server_env, server_options(flags_, log_sink_)));
  if (!server.ok()) {
    log("error", "cannot start: " + server.error().to_string());
    return 1;
  }
  server_ = std::move(*server);
  if (std::optional<int> failed = start_metrics()) return failed;
  announce(flags_, server_->address());
  return start_registration(server_->address());
}

// --metrics-listen: /metrics in the Prometheus text format (graceland_metrics.h).
std::optional<int> Daemon::start_metrics() {
  if (flags_.metrics_listen.empty()) return std::nullopt;
  auto started = lj::MetricsEndpoint::start(env_, flags_.metrics_listen, [this] {
    return lj::graceland::render_graceland_metrics(lj::graceland::read_metrics(*server_));
  });
  if (!started.ok()) {
    log("error", "metrics: " + started.error().to_string());
    return 1;
  }
  metrics_ = std::move(*started);
  log("info", "metrics at http://" + metrics_->address() + "/metrics");
  return std::nullopt;
}

// --zookeeper: the PoP and its address kept registered for the Lumberjack workers.
std::optional<int> Daemon::start_registration(const std::string& address) {
  if (flags_.zookeeper.empty()) return std::nullopt;
  lj::lumberjack::ZkLayout layout;
  layout.root = flags_.zk_root;
  lj::Result<lj::ZkAccess> access = lj::cmd::zk_access(flags_.zk_auth, layout);
  if (!access.ok()) {
    log("error", "cannot start: " + access.error().to_string());
    return 1;
  }
  coordinator_.emplace(flags_.zookeeper, runtime_, false, std::move(*access));
  registration_done_ = false;
  env_.executor.spawn(flag_when_done(
      lj::graceland::keep_graceland_registered(
          *coordinator_, env_.clock, layout, flags_.pop,
          flags_.advertise.empty() ? address : flags_.advertise, stopping_, log_sink_),
      registration_done_));
  return std::nullopt;
}

int Daemon::run() {
  runtime_.on_termination_signal([this](int signal) {
    log("info", "signal " + std::to_string(signal) + ": stopping");
    stopping_ = true;
    server_->stop();
  });
  // Serve until a signal; the server's own tasks (connections, commits, retention) run meanwhile.
  runtime_.run(until(env_.clock, stopping_));
  // The registration closes its session (its node goes at once) before the client goes.
  runtime_.run(at_most_5s_for(env_.clock, registration_done_));
  const auto& stats = server_->stats();
  log("info", "stopped: batches=" + std::to_string(stats.batches_acked) + " events=" +
                  std::to_string(stats.events_acked) + " commits=" + std::to_string(stats.commits) +
                  " refused=" + std::to_string(stats.refused_requests) +
                  " refused_for_room=" + std::to_string(stats.refused_batches));
  // The server's and the registration's loops use objects declared after the runtime: end
  // them before those objects go.
  runtime_.shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> done = parse_flags(argc, argv, flags)) return *done;
  // Segments hold customers' raw events: readable by this service's user only.
  ::umask(077);
  lj::RealRuntime runtime(flags.data_dir);
  Daemon daemon(runtime, flags);
  if (std::optional<int> failed = daemon.start()) return *failed;
  return daemon.run();
}
