#include "prod/cmd/lj/fetch_command.h"

#include <sys/stat.h>

#include <map>
#include <memory>
#include <optional>

#include "prod/audit/received_log.h"
#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/lj/fetch_status_reporter.h"
#include "prod/cmd/parse_number.h"
#include "prod/delivery/fetcher.h"
#include "prod/delivery/log_sinks.h"
#include "prod/http/http1_client.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/tls_network.h"

namespace lj {

namespace {

using cmd::parse_number;

std::string host_port_text(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

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

namespace {

// What the command line asked for, checked.
struct FetchRequest {
  FetchUrl url;
  delivery::FetchOptions options;
  std::optional<RsaPrivateKey> key;
  std::string ca_file;
  bool insecure = false;
  std::string out_dir;
  std::string syslog;
  bool syslog_tls = false;
  bool syslog_insecure = false;
  std::string syslog_ca_file;
  std::string syslog_hostname;
  std::string received_log;
  int64_t status_every_s = 0;  // 0: no status line
  std::string metrics_file;
};

// The flags that take a value, kept as text in `values` and checked by check_values().
const std::pair<const char*, const char*> kValueFlags[] = {
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

void declare_flags(CLI::App& app, std::map<std::string, std::string>& values, bool& allow_http,
                   FetchRequest& request) {
  std::map<std::string, CLI::Option*> declared;
  for (const auto& [name, what] : kValueFlags)
    declared[name] = cmd::add_kept_option(app, values, name, what);
  declared["--out-dir"]->excludes(declared["--syslog"]);
  app.add_flag("--once", request.options.until_caught_up, "stop once the index lists nothing new");
  app.add_flag("--insecure", request.insecure, "do not verify the server's certificate");
  app.add_flag("--syslog-tls", request.syslog_tls, "send to the syslog collector over TLS");
  app.add_flag("--syslog-insecure", request.syslog_insecure,
               "do not verify the syslog collector's certificate");
  app.add_flag("--accept-imperva", request.options.acceptance.accept_imperva,
               "the folder uses the legacy Imperva-compatible encoding");
  app.add_flag("--accept-unencrypted", request.options.acceptance.accept_unencrypted,
               "the folder has no public key");
  app.add_flag("--allow-http", allow_http, "an http:// URL (the password then crosses in clear)");
}

// Usage errors, each with one clear line: exit status 2.
std::optional<std::string> check_numbers(const std::map<std::string, std::string>& values,
                                         FetchRequest& request) {
  auto value = [&values](const std::string& flag) {
    return values.contains(flag) ? values.at(flag) : std::string();
  };
  delivery::FetchOptions& options = request.options;
  if (!value("--poll-ms").empty()) {
    int64_t poll_ms = 0;
    if (!parse_number(value("--poll-ms"), poll_ms) || poll_ms < 100)
      return "--poll-ms is at least 100";
    options.poll_interval = std::chrono::milliseconds(poll_ms);
  }
  if (!value("--max-files").empty() &&
      (!parse_number(value("--max-files"), options.max_files) || options.max_files == 0)) {
    return "--max-files wants a positive number";
  }
  if (!value("--parallel").empty() &&
      (!parse_number(value("--parallel"), options.parallel_downloads) ||
       options.parallel_downloads < 1 || options.parallel_downloads > 64)) {
    return "--parallel is 1 to 64";
  }
  if (!value("--status-every-s").empty() &&
      (!parse_number(value("--status-every-s"), request.status_every_s) ||
       request.status_every_s < 1 || request.status_every_s > 86400)) {
    return "--status-every-s is 1 to 86400";
  }
  return std::nullopt;
}

std::optional<std::string> check_values(const std::map<std::string, std::string>& values,
                                        bool allow_http, FetchRequest& request) {
  auto value = [&values](const std::string& flag) {
    return values.contains(flag) ? values.at(flag) : std::string();
  };
  if (value("--url").empty() || value("--user").empty() || value("--password-file").empty() ||
      value("--state").empty() || value("--out-dir").empty() == value("--syslog").empty()) {
    return "--url, --user, --password-file, --state and one of --out-dir or --syslog are "
           "required (lj fetch --help: every flag)";
  }
  if (std::string problem = parse_fetch_url(value("--url"), request.url); !problem.empty())
    return problem;
  if (!request.url.tls && !allow_http) {
    return "an http:// URL would send the password in clear: use https:// (or --allow-http)";
  }
  request.options.folder = request.url.folder;
  request.options.base_path = request.url.base_path;
  request.options.state_path = value("--state");
  request.options.credentials.username = value("--user");
  if (request.options.credentials.username.find(':') != std::string::npos)
    return "a user name has no ':'";
  request.ca_file = value("--ca-file");
  request.out_dir = value("--out-dir");
  request.syslog = value("--syslog");
  request.syslog_ca_file = value("--syslog-ca-file");
  request.syslog_hostname = value("--syslog-hostname");
  request.received_log = value("--received-log");
  request.metrics_file = value("--metrics-file");
  return std::nullopt;
}

// The API key, its line end dropped. A file that cannot be read: exit status 1.
std::optional<std::string> read_password(const std::string& password_file, FetchRequest& request) {
  std::string& password = request.options.credentials.password;
  if (!read_file_text(password_file, password)) return "cannot read " + password_file;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  return std::nullopt;
}

// The private key, if named. A file that cannot be read or parsed: exit status 1.
std::optional<std::string> read_key(const std::string& key_file, FetchRequest& request) {
  if (key_file.empty()) return std::nullopt;
  std::string pem;
  if (!read_file_text(key_file, pem)) return "cannot read " + key_file;
  Result<RsaPrivateKey> parsed = RsaPrivateKey::from_pem(pem);
  if (!parsed.ok()) return key_file + ": " + parsed.error().to_string();
  request.key.emplace(std::move(*parsed));
  return std::nullopt;
}

// Parses and checks the command line into `request`; an exit status if the command ends here.
std::optional<int> parse_fetch(std::span<const std::string_view> args, std::ostream& out,
                               std::ostream& err, FetchRequest& request) {
  CLI::App app{
      "Downloads a customer's folder in order, verifies and decrypts each file, hands its events "
      "to a directory or a syslog collector, and keeps its place (exactly once across restarts).",
      "lj fetch"};
  std::map<std::string, std::string> values;
  bool allow_http = false;
  declare_flags(app, values, allow_http, request);
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  if (std::optional<std::string> usage = check_values(values, allow_http, request)) {
    err << "lj fetch: " << *usage << "\n";
    return 2;
  }
  // In this order: a usage error, an unreadable password (1), a bad number (2), a bad key (1).
  if (std::optional<std::string> problem = read_password(values.at("--password-file"), request)) {
    err << "lj fetch: " << *problem << "\n";
    return 1;
  }
  if (std::optional<std::string> usage = check_numbers(values, request)) {
    err << "lj fetch: " << *usage << "\n";
    return 2;
  }
  const std::string key_file = values.contains("--key") ? values.at("--key") : "";
  if (std::optional<std::string> problem = read_key(key_file, request)) {
    err << "lj fetch: " << *problem << "\n";
    return 1;
  }
  request.options.log = [&err](const std::string& line) {
    err << "lj fetch: " << line << "\n" << std::flush;
  };
  return std::nullopt;
}

Result<std::unique_ptr<TlsNetwork>> tls_over(Env env, const std::string& ca_file, bool verify) {
  TlsClientOptions tls;
  tls.ca_file = ca_file;
  tls.verify = verify;
  return TlsNetwork::create(env.network, tls);
}

// The HTTP client of the folder's server: the Host header as a browser would send it.
Http1ClientOptions http_options_for(const FetchUrl& url) {
  Http1ClientOptions options;
  options.address = host_port_text(url.host, url.port);
  const bool default_port = url.port == (url.tls ? 443 : 80);
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  options.host_header = default_port ? host : options.address;
  options.timeout = std::chrono::seconds(60);
  return options;
}

// Where the events go: a directory, or a syslog collector (over TLS with --syslog-tls, which
// has its own trust: --insecure is for the HTTPS side).
Result<std::unique_ptr<delivery::LogSink>> open_sink(Env env, const FetchRequest& request,
                                                     std::unique_ptr<TlsNetwork>& syslog_tls) {
  if (!request.out_dir.empty())
    return std::unique_ptr<delivery::LogSink>(
        std::make_unique<delivery::DirectorySink>(env.files, request.out_dir));
  Network* network = &env.network;
  if (request.syslog_tls) {
    auto created = tls_over(env, request.syslog_ca_file, !request.syslog_insecure);
    if (!created.ok()) return Error(created.code(), "syslog: " + created.error().to_string());
    syslog_tls = std::move(*created);
    network = syslog_tls.get();
  }
  delivery::SyslogOptions syslog;
  syslog.address = request.syslog;
  if (!request.syslog_hostname.empty()) syslog.hostname = request.syslog_hostname;
  return std::unique_ptr<delivery::LogSink>(
      std::make_unique<delivery::SyslogSink>(*network, syslog));
}

void print_totals(const delivery::FetchStats& stats, std::ostream& out) {
  out << "fetched " << stats.files << " files, " << stats.events << " events; last file "
      << stats.last_seq
      << (stats.skipped ? "; " + std::to_string(stats.skipped) + " aged out unread" : std::string())
      << "\n";
  out.flush();
}

// Wires the fetcher to its server, its sink and its reporter, and runs it until it stops.
int fetch(RealRuntime& runtime, const FetchRequest& request, std::ostream& out, std::ostream& err) {
  Env env = runtime.env();
  std::unique_ptr<TlsNetwork> https;
  if (request.url.tls) {
    auto created = tls_over(env, request.ca_file, !request.insecure);
    if (!created.ok()) {
      err << "lj fetch: " << created.error().to_string() << "\n";
      return 1;
    }
    https = std::move(*created);
  }
  Http1Client http(https ? static_cast<Network&>(*https) : env.network, env.clock, env.executor,
                   http_options_for(request.url));
  std::unique_ptr<TlsNetwork> syslog_tls;
  Result<std::unique_ptr<delivery::LogSink>> sink = open_sink(env, request, syslog_tls);
  if (!sink.ok()) {
    err << "lj fetch: " << sink.error().message() << "\n";
    return 1;
  }
  // --received-log: each event handed over, with when, for judging a run from the customer's side.
  std::unique_ptr<audit::RecordingSink> recording;
  if (!request.received_log.empty()) {
    recording = std::make_unique<audit::RecordingSink>(**sink, env.clock, env.files,
                                                       request.received_log, request.options.log);
  }
  delivery::LogSink& delivered_to =
      recording ? static_cast<delivery::LogSink&>(*recording) : **sink;
  delivery::Fetcher fetcher(env.executor, env.clock, env.files, http, delivered_to,
                            request.key ? &*request.key : nullptr, request.options);
  std::optional<FetchStatusReporter> reporter;
  if (request.status_every_s > 0 || !request.metrics_file.empty()) {
    const int64_t every_s = request.status_every_s > 0 ? request.status_every_s : 10;
    reporter.emplace(env, fetcher, request.options.folder, std::chrono::seconds(every_s),
                     request.status_every_s > 0, request.metrics_file, err);
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
  print_totals(fetcher.stats(), out);
  if (!result.ok()) {
    err << "lj fetch: " << result.to_string() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int run_fetch(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  FetchRequest request;
  if (std::optional<int> done = parse_fetch(args, out, err, request)) return *done;
  // The state and the decrypted output are the customer's secrets: nobody else reads them.
  ::umask(077);
  RealRuntime runtime;
  return fetch(runtime, request, out, err);
}

}  // namespace lj
