#include "prod/cmd/lj/fetch_command.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "prod/audit/received_log.h"
#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/parse_number.h"
#include "prod/delivery/fetch_status.h"
#include "prod/delivery/fetcher.h"
#include "prod/delivery/log_sinks.h"
#include "prod/http/http1_client.h"
#include "prod/io/notifier.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/tls_network.h"

namespace lj {

namespace {

using cmd::parse_number;

std::string host_port_text(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// --status-every-s and --metrics-file: every `every`, the status line on `err` and the
// metrics file rewritten atomically (a scraper never reads half of it); finish() writes the
// last figures once the fetcher has returned. One write at a time: two would share the
// file's temporary name.
class StatusReporter {
 public:
  StatusReporter(Env env, const delivery::Fetcher& fetcher, std::string folder, Duration every,
                 bool print, std::string metrics_file, std::ostream& err)
      : env_(env),
        fetcher_(fetcher),
        folder_(std::move(folder)),
        every_(every),
        print_(print),
        metrics_file_(std::move(metrics_file)),
        err_(err),
        idle_(env.executor) {}

  Task<void> run() {
    while (true) {
      co_await env_.clock.sleep_for(every_);
      if (finished_) co_return;
      if (print_) {
        err_ << "lj fetch: "
             << delivery::fetch_status_line(folder_, fetcher_.stats(), env_.clock.monotonic_now(),
                                            env_.clock.wall_now_ms())
             << "\n"
             << std::flush;
      }
      co_await write_metrics();
    }
  }

  Task<void> finish() {
    finished_ = true;
    while (writing_) co_await idle_.wait();
    co_await write_metrics();
  }

 private:
  Task<void> write_metrics() {
    if (metrics_file_.empty()) co_return;
    writing_ = true;
    const std::string text =
        delivery::fetch_metrics_text(folder_, fetcher_.stats(), env_.clock.monotonic_now());
    Status s =
        co_await write_file_atomically(env_.files, metrics_file_, std::as_bytes(std::span(text)));
    if (!s.ok()) err_ << "lj fetch: --metrics-file: " << s.to_string() << "\n" << std::flush;
    writing_ = false;
    idle_.notify_all();
  }

  Env env_;
  const delivery::Fetcher& fetcher_;
  std::string folder_;
  Duration every_;
  bool print_;
  std::string metrics_file_;
  std::ostream& err_;
  bool finished_ = false;
  bool writing_ = false;
  Notifier idle_;
};

}  // namespace

std::string parse_fetch_url(std::string_view url, FetchUrl& out) {
  if (url.starts_with("https://")) {
    out.tls = true;
    out.port = 443;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    out.port = 80;
    url.remove_prefix(7);
  } else {
    return "--url starts with https:// (or http://)";
  }
  const size_t slash = url.find('/');
  if (slash == std::string_view::npos)
    return "--url names the folder: https://HOST/<account>_<config>/";
  std::string_view authority = url.substr(0, slash);
  std::string_view path = url.substr(slash);
  if (authority.find('@') != std::string_view::npos)
    return "--url holds no credentials: use --user and --password-file";
  std::string_view host = authority;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "--url: unterminated [IPv6] host";
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':') || !parse_number(rest.substr(1), out.port) || out.port == 0)
        return "--url: bad port";
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    if (!parse_number(authority.substr(colon + 1), out.port) || out.port == 0)
      return "--url: bad port";
  }
  if (host.empty()) return "--url: no host";
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return "--url: bad host";
  }
  out.host = std::string(host);
  if (path.find_first_of("?#%") != std::string_view::npos)
    return "--url: no query, fragment or escapes";
  while (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  const size_t last = path.rfind('/');
  out.folder = std::string(path.substr(last + 1));
  out.base_path = std::string(path.substr(0, last + 1));
  if (!lumberjack::parse_folder_name(out.folder)) {
    return "--url ends with the folder <account>_<config> (e.g. https://HOST/1001_7/), not '" +
           out.folder + "'";
  }
  if (out.base_path.find("/../") != std::string::npos ||
      out.base_path.find("/./") != std::string::npos) {
    return "--url: no '.' or '..' segments";
  }
  return "";
}

int run_fetch(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Downloads a customer's folder in order, verifies and decrypts each file, hands its events "
      "to a "
      "directory or a syslog collector, and keeps its place (exactly once across restarts).",
      "lj fetch"};
  std::map<std::string, std::string> values;  // checked below, with what each wants
  bool insecure = false, syslog_insecure = false, once = false, syslog_tls = false,
       allow_http = false;
  delivery::FileAcceptance acceptance;
  const std::pair<const char*, const char*> flags[] = {
      {"--url", "the folder: https://HOST[:PORT]/<account>_<config>/ (required)"},
      {"--user", "the customer's user name (required)"},
      {"--password-file", "a file holding the API key (required; never on the command line)"},
      {"--state", "where the place is kept (required; one per folder)"},
      {"--out-dir", "write each file's events here, one output file per log file"},
      {"--syslog", "send each event to this collector, HOST:PORT (octet-counted RFC 5424 lines)"},
      {"--key", "the customer's private key (PEM), for encrypted files"},
      {"--ca-file", "the CA that signs the server's certificate (default: the system's)"},
      {"--poll-ms", "look for new files this often, at least 100 (default 10000)"},
      {"--max-files", "stop after this many files"},
      {"--syslog-ca-file", "the CA that signs the syslog collector's certificate"},
      {"--syslog-hostname", "the HOSTNAME field of the syslog lines"},
      {"--received-log", "one line per event received, for lj audit --received"},
      {"--parallel", "files downloaded at once when behind, 1 to 64 (default 4)"},
      {"--status-every-s",
       "a status line on stderr every N s, 1 to 86400 (lag, last file, last error)"},
      {"--metrics-file",
       "the same figures in the Prometheus text format, rewritten every N s (default 10) for "
       "node_exporter's textfile collector"},
  };
  std::map<std::string, CLI::Option*> declared;
  for (const auto& [name, what] : flags)
    declared[name] = cmd::add_kept_option(app, values, name, what);
  declared["--out-dir"]->excludes(declared["--syslog"]);
  app.add_flag("--once", once, "stop once the index lists nothing new");
  app.add_flag("--insecure", insecure, "do not verify the server's certificate");
  app.add_flag("--syslog-tls", syslog_tls, "send to the syslog collector over TLS");
  app.add_flag("--syslog-insecure", syslog_insecure,
               "do not verify the syslog collector's certificate");
  app.add_flag("--accept-imperva", acceptance.accept_imperva,
               "the folder uses the legacy Imperva-compatible encoding");
  app.add_flag("--accept-unencrypted", acceptance.accept_unencrypted,
               "the folder has no public key");
  app.add_flag("--allow-http", allow_http, "an http:// URL (the password then crosses in clear)");
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  auto value = [&](const std::string& flag) {
    return values.contains(flag) ? values.at(flag) : std::string();
  };
  if (value("--url").empty() || value("--user").empty() || value("--password-file").empty() ||
      value("--state").empty() || value("--out-dir").empty() == value("--syslog").empty()) {
    err << "lj fetch: --url, --user, --password-file, --state and one of --out-dir or --syslog are "
           "required (lj fetch --help: every flag)\n";
    return 2;
  }
  FetchUrl url;
  if (std::string problem = parse_fetch_url(value("--url"), url); !problem.empty()) {
    err << "lj fetch: " << problem << "\n";
    return 2;
  }
  if (!url.tls && !allow_http) {
    err << "lj fetch: an http:// URL would send the password in clear: use https:// (or "
           "--allow-http)\n";
    return 2;
  }
  delivery::FetchOptions options;
  options.folder = url.folder;
  options.base_path = url.base_path;
  options.state_path = value("--state");
  options.until_caught_up = once;
  options.acceptance = acceptance;
  options.credentials.username = value("--user");
  if (options.credentials.username.find(':') != std::string::npos) {
    err << "lj fetch: a user name has no ':'\n";
    return 2;
  }
  if (!read_file_text(value("--password-file"), options.credentials.password)) {
    err << "lj fetch: cannot read " << value("--password-file") << "\n";
    return 1;
  }
  while (!options.credentials.password.empty() && (options.credentials.password.back() == '\n' ||
                                                   options.credentials.password.back() == '\r')) {
    options.credentials.password.pop_back();
  }
  if (!value("--poll-ms").empty()) {
    int64_t poll_ms = 0;
    if (!parse_number(value("--poll-ms"), poll_ms) || poll_ms < 100) {
      err << "lj fetch: --poll-ms is at least 100\n";
      return 2;
    }
    options.poll_interval = std::chrono::milliseconds(poll_ms);
  }
  if (!value("--max-files").empty() &&
      (!parse_number(value("--max-files"), options.max_files) || options.max_files == 0)) {
    err << "lj fetch: --max-files wants a positive number\n";
    return 2;
  }
  if (!value("--parallel").empty() &&
      (!parse_number(value("--parallel"), options.parallel_downloads) ||
       options.parallel_downloads < 1 || options.parallel_downloads > 64)) {
    err << "lj fetch: --parallel is 1 to 64\n";
    return 2;
  }
  int64_t status_every_s = 0;
  if (!value("--status-every-s").empty() &&
      (!parse_number(value("--status-every-s"), status_every_s) || status_every_s < 1 ||
       status_every_s > 86400)) {
    err << "lj fetch: --status-every-s is 1 to 86400\n";
    return 2;
  }
  options.log = [&err](const std::string& line) {
    err << "lj fetch: " << line << "\n" << std::flush;
  };

  std::optional<RsaPrivateKey> key;
  if (!value("--key").empty()) {
    std::string pem;
    if (!read_file_text(value("--key"), pem)) {
      err << "lj fetch: cannot read " << value("--key") << "\n";
      return 1;
    }
    Result<RsaPrivateKey> parsed = RsaPrivateKey::from_pem(pem);
    if (!parsed.ok()) {
      err << "lj fetch: " << value("--key") << ": " << parsed.error().to_string() << "\n";
      return 1;
    }
    key.emplace(std::move(*parsed));
  }

  // The state and the decrypted output are the customer's secrets: nobody else reads them.
  ::umask(077);
  RealRuntime runtime;
  Env env = runtime.env();
  // HTTPS: TLS over the runtime's TCP.
  std::unique_ptr<TlsNetwork> https;
  if (url.tls) {
    TlsClientOptions tls;
    tls.ca_file = value("--ca-file");
    tls.verify = !insecure;
    auto created = TlsNetwork::create(env.network, tls);
    if (!created.ok()) {
      err << "lj fetch: " << created.error().to_string() << "\n";
      return 1;
    }
    https = std::move(*created);
  }
  Http1ClientOptions http_options;
  http_options.address = host_port_text(url.host, url.port);
  const bool default_port = url.port == (url.tls ? 443 : 80);
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  http_options.host_header = default_port ? host : http_options.address;
  http_options.timeout = std::chrono::seconds(60);
  Http1Client http(https ? static_cast<Network&>(*https) : env.network, env.clock, env.executor,
                   http_options);

  std::unique_ptr<delivery::LogSink> sink;
  std::unique_ptr<TlsNetwork> syslog_network;
  if (!value("--out-dir").empty()) {
    sink = std::make_unique<delivery::DirectorySink>(env.files, value("--out-dir"));
  } else {
    Network* network = &env.network;
    if (syslog_tls) {
      TlsClientOptions tls;
      tls.ca_file = value("--syslog-ca-file");
      tls.verify = !syslog_insecure;  // its own switch: --insecure is for the HTTPS side
      auto created = TlsNetwork::create(env.network, tls);
      if (!created.ok()) {
        err << "lj fetch: syslog: " << created.error().to_string() << "\n";
        return 1;
      }
      syslog_network = std::move(*created);
      network = syslog_network.get();
    }
    delivery::SyslogOptions syslog;
    syslog.address = value("--syslog");
    if (!value("--syslog-hostname").empty()) syslog.hostname = value("--syslog-hostname");
    sink = std::make_unique<delivery::SyslogSink>(*network, syslog);
  }

  // --received-log: each event handed over, with when, for judging a run from the customer's side.
  std::unique_ptr<audit::RecordingSink> recording;
  if (!value("--received-log").empty()) {
    recording = std::make_unique<audit::RecordingSink>(*sink, env.clock, env.files,
                                                       value("--received-log"), options.log);
  }
  delivery::LogSink& delivered_to = recording ? static_cast<delivery::LogSink&>(*recording) : *sink;
  delivery::Fetcher fetcher(env.executor, env.clock, env.files, http, delivered_to,
                            key ? &*key : nullptr, options);
  std::optional<StatusReporter> reporter;
  if (status_every_s > 0 || !value("--metrics-file").empty()) {
    reporter.emplace(env, fetcher, options.folder,
                     std::chrono::seconds(status_every_s > 0 ? status_every_s : 10),
                     status_every_s > 0, value("--metrics-file"), err);
    env.executor.spawn(reporter->run());
  }
  runtime.on_termination_signal([&fetcher, &err](int signal) {
    err << "lj fetch: signal " << signal
        << ": stopping after the file in progress (and the downloads running)\n"
        << std::flush;
    fetcher.stop();
  });
  Status result = runtime.run(fetcher.run());
  // The last figures too: a run from cron (--once) leaves them for the scraper.
  if (reporter) runtime.run(reporter->finish());
  runtime.shutdown();  // the reporter's task goes before the reporter and the fetcher do
  const delivery::FetchStats& stats = fetcher.stats();
  out << "fetched " << stats.files << " files, " << stats.events << " events; last file "
      << stats.last_seq
      << (stats.skipped ? "; " + std::to_string(stats.skipped) + " aged out unread" : std::string())
      << "\n";
  out.flush();
  if (!result.ok()) {
    err << "lj fetch: " << result.to_string() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace lj
