// graceland: the per-PoP collector daemon.
//
//   graceland --pop ams --listen 127.0.0.1:9100 --data-dir /var/lib/graceland
//             (--tls-cert FILE --tls-key FILE --client-ca FILE | --plaintext)
//             [--retention-hours 48] [--segment-mb 64] [--ready-file PATH] [--idle-timeout-s 120]
//             [--zookeeper HOSTS [--zk-root /lj] [--zk-auth FILE] [--advertise HOST:PORT]]
//             [--max-open-writers 1024] [--account-quota BYTES] [--max-store-bytes BYTES]
//             [--disk-reserve 1G]
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

#include "prod/cmd/common/zk_access.h"
#include "prod/cmd/parse_number.h"
#include "prod/graceland/graceland_server.h"
#include "prod/graceland/wire.h"
#include "prod/logging/logfmt.h"
#include "prod/lumberjack/graceland_registration.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/tls_server_network.h"
#include "prod/real/zk_coordinator.h"

namespace {

struct Flags {
  std::string pop;
  std::string listen = "127.0.0.1:9100";
  std::string data_dir;
  std::string ready_file;
  int64_t retention_ms = 48ll * 3600 * 1000;
  double segment_mb = 64;
  int64_t idle_timeout_s = 120;
  std::string zookeeper;
  std::string zk_root = "/lj";
  std::string advertise;
  lj::TlsServerOptions tls;
  bool plaintext = false;
  std::string zk_auth;  // --zk-auth FILE (prod/cmd/common/zk_access.h)
  uint64_t max_open_writers = 1024;
  uint64_t account_quota_bytes = 0;   // 0: none
  uint64_t max_store_bytes = 0;       // 0: none
  uint64_t disk_reserve_bytes = 1ull << 30;
};

constexpr const char* kUsage =
    "usage: graceland --pop NAME --data-dir DIR (--tls-cert FILE --tls-key FILE --client-ca FILE | --plaintext)\n"
    "       [--listen HOST:PORT] [--retention-hours H] [--segment-mb M] [--ready-file PATH] [--idle-timeout-s S]\n"
    "       [--zookeeper HOSTS [--zk-root /lj] [--zk-auth FILE] [--advertise HOST:PORT]]\n"
    "       [--max-open-writers N] [--account-quota BYTES] [--max-store-bytes BYTES] [--disk-reserve BYTES]\n"
    "  --max-open-writers N     segment files kept open beyond those awaiting a commit (default 1024)\n"
    "  --account-quota BYTES    one account's kept segments at most (default 0: none)\n"
    "  --max-store-bytes BYTES  all kept segments at most (default 0: none)\n"
    "  --disk-reserve BYTES     free space kept on the data directory's file system (default 1G; 0: none)\n"
    "  Byte counts take K, M, G, T (powers of 1024). A batch past a limit is refused whole, nothing\n"
    "  stored, and retried by its proxy; acknowledged data is never touched.\n";

// With no complaint (--help): the usage on stdout, and success.
int usage(const char* why) {
  if (*why == '\0') {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "graceland: %s\n%s", why, kUsage);
  return 2;
}

void log_line(lj::Clock& clock, const std::string& pop, const char* level, std::string_view message) {
  std::fputs(lj::logfmt_line(clock.wall_now_ms(), level, "graceland", "pop", pop, message).c_str(), stderr);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return usage("");
    if (flag == "--plaintext") {
      flags.plaintext = true;
      continue;
    }
    if (i + 1 >= argc) return usage(("missing value for " + flag).c_str());
    const std::string value = argv[++i];
    if (flag == "--pop") flags.pop = value;
    else if (flag == "--listen") flags.listen = value;
    else if (flag == "--data-dir") flags.data_dir = value;
    else if (flag == "--ready-file") flags.ready_file = value;
    else if (flag == "--retention-hours") {
      if (!lj::cmd::parse_hours_as_ms(value, lj::cmd::kMinRetentionMs, lj::cmd::kMaxRetentionMs, flags.retention_ms))
        return usage("--retention-hours is between 1 minute (0.0167) and 10 years (87600)");
    } else if (flag == "--idle-timeout-s") {
      if (!lj::cmd::parse_positive(value, flags.idle_timeout_s)) return usage("--idle-timeout-s wants a positive number");
    } else if (flag == "--segment-mb") {
      if (!lj::cmd::parse_positive(value, flags.segment_mb)) return usage("--segment-mb wants a positive number");
    } else if (flag == "--max-open-writers") {
      if (!lj::cmd::parse_positive(value, flags.max_open_writers))
        return usage("--max-open-writers wants a positive count");
    } else if (flag == "--account-quota") {
      if (!lj::cmd::parse_bytes(value, flags.account_quota_bytes)) return usage("--account-quota wants BYTES[K|M|G|T]");
    } else if (flag == "--max-store-bytes") {
      if (!lj::cmd::parse_bytes(value, flags.max_store_bytes)) return usage("--max-store-bytes wants BYTES[K|M|G|T]");
    } else if (flag == "--disk-reserve") {
      if (!lj::cmd::parse_bytes(value, flags.disk_reserve_bytes)) return usage("--disk-reserve wants BYTES[K|M|G|T]");
    }
    else if (flag == "--zookeeper") flags.zookeeper = value;
    else if (flag == "--zk-root") flags.zk_root = value;
    else if (flag == "--advertise") flags.advertise = value;
    else if (flag == "--tls-cert") flags.tls.cert_file = value;
    else if (flag == "--tls-key") flags.tls.key_file = value;
    else if (flag == "--client-ca") flags.tls.client_ca_file = value;
    else if (flag == "--zk-auth") flags.zk_auth = value;
    else return usage(("unknown flag " + flag).c_str());
  }
  if (flags.pop.empty() || flags.data_dir.empty()) return usage("--pop and --data-dir are required");
  const bool tls = !flags.tls.cert_file.empty() || !flags.tls.key_file.empty() || !flags.tls.client_ca_file.empty();
  if (tls == flags.plaintext) {
    return usage(flags.plaintext ? "--plaintext and --tls-* exclude each other"
                                 : "clients must authenticate: give --tls-cert, --tls-key and --client-ca "
                                   "(or --plaintext where nobody untrusted can reach the port)");
  }

  // Segments hold customers' raw events: readable by this service's user only.
  ::umask(077);
  lj::RealRuntime runtime(flags.data_dir);
  lj::Env env = runtime.env();
  // The server listens through mutual TLS: connections carry the client's proven identity.
  std::unique_ptr<lj::TlsServerNetwork> tls_network;
  if (tls) {
    flags.tls.plaintext_refusal = lj::graceland::error_frame(
        lj::ErrorCode::kPermissionDenied, "this Graceland requires mutual TLS: connect with a client certificate "
                                          "from the operator's CA (--graceland-ca, --graceland-cert, --graceland-key)");
    auto created = lj::TlsServerNetwork::create(env.network, flags.tls);
    if (!created.ok()) {
      log_line(env.clock, flags.pop, "error", "cannot start: " + created.error().to_string());
      return 1;
    }
    tls_network = std::move(*created);
  }
  const lj::Env server_env = tls ? lj::with_network(env, *tls_network) : env;
  lj::graceland::GracelandOptions options;
  options.require_peer_identity = tls;
  options.pop = flags.pop;
  options.listen_address = flags.listen;
  options.store.root = "segments";
  options.store.retention_ms = flags.retention_ms;
  options.store.segment_max_bytes = static_cast<uint64_t>(flags.segment_mb * 1024 * 1024);
  options.store.max_open_writers = static_cast<size_t>(flags.max_open_writers);
  options.store.account_quota_bytes = flags.account_quota_bytes == 0 ? UINT64_MAX : flags.account_quota_bytes;
  options.store.max_store_bytes = flags.max_store_bytes == 0 ? UINT64_MAX : flags.max_store_bytes;
  options.store.disk_reserve_bytes = flags.disk_reserve_bytes;
  // A client silent this long (a request not finished, an answer not taken) is dropped.
  options.idle_timeout = std::chrono::seconds(flags.idle_timeout_s);
  options.log = [&env, &flags](std::string_view line) { log_line(env.clock, flags.pop, "info", line); };

  auto server = runtime.run(lj::graceland::GracelandServer::start(server_env, options));
  if (!server.ok()) {
    log_line(env.clock, flags.pop, "error", "cannot start: " + server.error().to_string());
    return 1;
  }
  const std::string address = (*server)->address();
  if (!flags.ready_file.empty()) {
    std::ofstream(flags.ready_file + ".tmp") << address << "\n";
    std::rename((flags.ready_file + ".tmp").c_str(), flags.ready_file.c_str());
  }
  std::printf("ready %s\n", address.c_str());
  std::fflush(stdout);

  bool stopping = false;
  bool registration_done = true;
  std::optional<lj::ZkCoordinator> coordinator;
  if (!flags.zookeeper.empty()) {
    lj::lumberjack::ZkLayout layout;
    layout.root = flags.zk_root;
    lj::Result<lj::ZkAccess> access = lj::cmd::zk_access(flags.zk_auth, layout);
    if (!access.ok()) {
      log_line(env.clock, flags.pop, "error", "cannot start: " + access.error().to_string());
      return 1;
    }
    coordinator.emplace(flags.zookeeper, runtime, false, std::move(*access));
    registration_done = false;
    env.executor.spawn([](lj::Task<void> registration, bool& done) -> lj::Task<void> {
      co_await std::move(registration);
      done = true;
    }(lj::lumberjack::keep_graceland_registered(
          *coordinator, env.clock, layout, flags.pop, flags.advertise.empty() ? address : flags.advertise, stopping,
          [&env, &flags](std::string_view line) { log_line(env.clock, flags.pop, "info", line); }),
      registration_done));
  }
  runtime.on_termination_signal([&](int signal) {
    log_line(env.clock, flags.pop, "info", "signal " + std::to_string(signal) + ": stopping");
    stopping = true;
    (*server)->stop();
  });
  // Serve until a signal; the server's own tasks (connections, commits, retention) run meanwhile.
  runtime.run([](lj::Clock& clock, bool& stop) -> lj::Task<void> {
    while (!stop) co_await clock.sleep_for(std::chrono::milliseconds(200));
  }(env.clock, stopping));
  // The registration closes its session (its node goes at once) before the client goes.
  runtime.run([](lj::Clock& clock, bool& done) -> lj::Task<void> {
    for (int i = 0; i < 50 && !done; ++i) co_await clock.sleep_for(std::chrono::milliseconds(100));
  }(env.clock, registration_done));
  const auto& stats = (*server)->stats();
  log_line(env.clock, flags.pop, "info",
           "stopped: batches=" + std::to_string(stats.batches_acked) +
               " events=" + std::to_string(stats.events_acked) + " commits=" + std::to_string(stats.commits) +
               " refused=" + std::to_string(stats.refused_requests) +
               " refused_for_room=" + std::to_string(stats.refused_batches));
  // The server's and the registration's loops use objects declared after the runtime: end
  // them before those objects go.
  runtime.shutdown();
  return 0;
}
