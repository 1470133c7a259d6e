// graceland: the per-PoP collector daemon.
//
//   graceland --pop ams --listen 127.0.0.1:9100 --data-dir /var/lib/graceland
//             [--retention-hours 48] [--segment-mb 64] [--ready-file PATH]
//
// Logs are logfmt lines on stderr. Once it listens, it prints "ready <address>" on stdout and,
// with --ready-file, writes the address there (scripts wait for that file). SIGTERM or SIGINT
// stops accepting, lets acknowledged work finish, and exits 0.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "prod/graceland/graceland_server.h"
#include "prod/real/asio_runtime.h"

namespace {

struct Flags {
  std::string pop;
  std::string listen = "127.0.0.1:9100";
  std::string data_dir;
  std::string ready_file;
  double retention_hours = 48;
  double segment_mb = 64;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "graceland: %s\nusage: graceland --pop NAME --data-dir DIR [--listen HOST:PORT] "
               "[--retention-hours H] [--segment-mb M] [--ready-file PATH]\n",
               why);
  return 2;
}

// logfmt value: quoted, with quotes, backslashes and control bytes escaped, so a hostile
// peer address or error text cannot forge a log line.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void log_line(lj::Clock& clock, const std::string& pop, const char* level, std::string_view message) {
  std::fprintf(stderr, "ts=%lld level=%s service=graceland pop=%s msg=%s\n",
               static_cast<long long>(clock.wall_now_ms()), level, quoted(pop).c_str(),
               quoted(message).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + flag).c_str());
    const std::string value = argv[++i];
    if (flag == "--pop") flags.pop = value;
    else if (flag == "--listen") flags.listen = value;
    else if (flag == "--data-dir") flags.data_dir = value;
    else if (flag == "--ready-file") flags.ready_file = value;
    else if (flag == "--retention-hours") flags.retention_hours = std::atof(value.c_str());
    else if (flag == "--segment-mb") flags.segment_mb = std::atof(value.c_str());
    else return usage(("unknown flag " + flag).c_str());
  }
  if (flags.pop.empty() || flags.data_dir.empty()) return usage("--pop and --data-dir are required");
  if (flags.retention_hours <= 0 || flags.segment_mb <= 0) return usage("sizes and periods must be positive");

  lj::RealRuntime runtime(flags.data_dir);
  lj::Env env = runtime.env();
  lj::graceland::GracelandOptions options;
  options.pop = flags.pop;
  options.listen_address = flags.listen;
  options.store.root = "segments";
  options.store.retention_ms = static_cast<int64_t>(flags.retention_hours * 3600 * 1000);
  options.store.segment_max_bytes = static_cast<uint64_t>(flags.segment_mb * 1024 * 1024);
  options.log = [&env, &flags](std::string_view line) { log_line(env.clock, flags.pop, "info", line); };

  auto server = runtime.run(lj::graceland::GracelandServer::start(env, options));
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
  runtime.on_termination_signal([&](int signal) {
    log_line(env.clock, flags.pop, "info", "signal " + std::to_string(signal) + ": stopping");
    stopping = true;
    (*server)->stop();
  });
  // Serve until a signal; the server's own tasks (connections, commits, retention) run meanwhile.
  runtime.run([](lj::Clock& clock, bool& stop) -> lj::Task<void> {
    while (!stop) co_await clock.sleep_for(std::chrono::milliseconds(200));
  }(env.clock, stopping));
  const auto& stats = (*server)->stats();
  log_line(env.clock, flags.pop, "info",
           "stopped: batches=" + std::to_string(stats.batches_acked) +
               " events=" + std::to_string(stats.events_acked) + " commits=" + std::to_string(stats.commits));
  return 0;
}
