// lumberjack: one node of the Lumberjack cluster.
//
//   lumberjack --name lj-1 --zookeeper 127.0.0.1:2181[,...] --storage-dir /srv/lj-storage
//              [--zk-root /lj] [--session-timeout-ms 4000] [--metrics-listen 127.0.0.1:9300]
//              [--pops ams=HOST:PORT,fra=HOST:PORT] [--ready-file PATH]
//
// It registers as a worker, stands in the master election, and delivers the customers it is
// assigned (LumberjackNode). Gracelands are found in ZooKeeper unless --pops lists them.
// Storage is a directory (local, or a shared mount for several machines). Metrics are served
// at http://<metrics-listen>/metrics in the Prometheus text format. Logs are logfmt lines on
// stderr; "ready <metrics address>" on stdout (and in --ready-file) once it runs. SIGTERM or
// SIGINT: stop, close the session (its ephemeral nodes go at once), exit 0.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "prod/logging/logfmt.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/lumberjack/metrics_endpoint.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/zk_coordinator.h"
#include "prod/storage/directory_object_store.h"

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr,
               "lumberjack: %s\nusage: lumberjack --name NAME --zookeeper HOSTS --storage-dir DIR [--zk-root /lj]\n"
               "         [--session-timeout-ms MS] [--metrics-listen HOST:PORT] [--pops POP=HOST:PORT,...]\n"
               "         [--ready-file PATH]\n",
               why.c_str());
  return 2;
}

bool parse_pops(const std::string& text, std::map<std::string, std::string>& out) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
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
  std::string zookeeper, storage_dir, metrics_listen = "127.0.0.1:0", ready_file;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage("missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--name") options.name = value;
    else if (flag == "--zookeeper") zookeeper = value;
    else if (flag == "--storage-dir") storage_dir = value;
    else if (flag == "--zk-root") options.layout.root = value;
    else if (flag == "--session-timeout-ms") options.session_timeout = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (flag == "--metrics-listen") metrics_listen = value;
    else if (flag == "--ready-file") ready_file = value;
    else if (flag == "--pops") {
      if (!parse_pops(value, options.static_pops)) return usage("--pops wants POP=HOST:PORT,...");
    } else {
      return usage("unknown flag " + flag);
    }
  }
  if (zookeeper.empty() || storage_dir.empty()) return usage("--zookeeper and --storage-dir are required");
  if (options.session_timeout < std::chrono::milliseconds(400)) return usage("--session-timeout-ms is at least 400");
  if (options.layout.root.empty() || options.layout.root[0] != '/' || options.layout.root.back() == '/') {
    return usage("--zk-root is an absolute ZooKeeper path like /lj");
  }

  lj::RealRuntime runtime(storage_dir);
  lj::Env env = runtime.env();
  auto log = [&](const char* level, const std::string& message) {
    std::fputs(lj::logfmt_line(env.clock.wall_now_ms(), level, "lumberjack", "node", options.name, message).c_str(),
               stderr);
  };
  options.log = [&log](std::string_view line) { log("info", std::string(line)); };
  lj::ZkCoordinator coordinator(zookeeper, runtime);
  // The store's root is the runtime's data root: storage paths are relative to it.
  lj::DirectoryObjectStore store(env.files, env.random, ".");
  lj::lumberjack::LumberjackNode node(env, coordinator, store, options);

  auto metrics = lj::lumberjack::MetricsEndpoint::start(env, metrics_listen, [&node] {
    return lj::lumberjack::render_metrics(node.status());
  });
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
  log("info", "running; zookeeper " + zookeeper + ", storage " + storage_dir + ", metrics " + address);

  bool stopped = false;
  runtime.on_termination_signal([&](int signal) {
    log("info", "signal " + std::to_string(signal) + ": stopping");
    node.stop();
  });
  runtime.run([](lj::lumberjack::LumberjackNode& n, bool& done) -> lj::Task<void> {
    co_await n.run();
    done = true;
  }(node, stopped));
  const auto& status = node.status();
  log("info", "stopped: files=" + std::to_string(status.files_published) +
                  " events=" + std::to_string(status.events_published));
  return 0;
}
