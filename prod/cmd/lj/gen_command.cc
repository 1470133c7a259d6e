#include "prod/cmd/lj/gen_command.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/graceland_tls.h"
#include "prod/cmd/parse_number.h"
#include "prod/event/attack_event.h"
#include "prod/proxy/ledger_file.h"
#include "prod/proxy/proxy.h"
#include "prod/real/asio_runtime.h"

namespace lj {

namespace {

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string_view::npos ? text.size() : comma;
    if (end > start) parts.emplace_back(text.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

using cmd::parse_number;

// One --accounts item: an id, or FIRST-LAST for every id between.
bool add_accounts(std::string_view item, std::vector<uint64_t>& accounts) {
  const size_t dash = item.find('-');
  uint64_t first = 0, last = 0;
  if (!parse_number(item.substr(0, dash), first) || first == 0) return false;
  last = first;
  if (dash != std::string_view::npos && !parse_number(item.substr(dash + 1), last)) return false;
  if (last < first || last - first >= kStreamsPerProxy - accounts.size()) return false;
  for (uint64_t id = first; id <= last; ++id) accounts.push_back(id);
  return true;
}

}  // namespace

bool parse_gen_accounts(std::string_view value, std::vector<uint64_t>& accounts) {
  accounts.clear();
  const std::vector<std::string> items = split(value);
  for (const std::string& item : items) {
    if (!add_accounts(item, accounts)) return false;
  }
  return !accounts.empty();
}

namespace {

struct GenFlags {
  std::vector<std::string> gracelands;
  std::string accounts_text = "1001,1002";
  std::string weights_text;
  uint64_t proxies = 4;
  uint64_t rate = 200;
  uint64_t events = 1000;
  uint64_t batch = 50;
  uint64_t first_id = 1;
  uint64_t timeout_s = 120;
  uint64_t progress_s = 0;
  std::string pop = "gen";
  std::string ledger_path;
  std::string journal_dir;
  cmd::GracelandTlsFlags tls;
  // What the text flags parsed to.
  std::vector<uint64_t> accounts;
  proxy::AccountWeights weights;
};

void declare_gen_flags(CLI::App& app, GenFlags& flags) {
  app.add_option("--gracelands", flags.gracelands,
                 "HOST:PORT,...: the first is home, the others failover")
      ->required()
      ->delimiter(',');
  app.add_option("--accounts", flags.accounts_text,
                 "the customers, ids and FIRST-LAST ranges: 1001,2000-2099")
      ->capture_default_str();
  app.add_option("--account-weights", flags.weights_text,
                 "how events split between the accounts: uniform, or zipf:S (0 < S <= 4)");
  app.add_option("--proxies", flags.proxies, "proxies")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}))
      ->capture_default_str();
  app.add_option("--rate", flags.rate, "events/s per proxy")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--events", flags.events, "events per proxy")->capture_default_str();
  app.add_option("--batch", flags.batch, "events per batch")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}))
      ->capture_default_str();
  app.add_option("--first-proxy-id", flags.first_id, "the first proxy's id (the rest follow)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--progress-s", flags.progress_s,
                 "print a progress line every S seconds (0: never)");
  app.add_option("--timeout-s", flags.timeout_s,
                 "give up on what is not acknowledged after S seconds")
      ->capture_default_str();
  app.add_option("--pop", flags.pop, "the PoP the proxies say they are in")->capture_default_str();
  app.add_option("--ledger", flags.ledger_path,
                 "write the ledger here (for lj check and lj audit)");
  app.add_option("--journal-dir", flags.journal_dir,
                 "each proxy's durable queue: a restarted proxy resends and never reuses an id");
  flags.tls.add_to(app);
}

// Parses the command line into `flags`; an exit status if the command ends here.
std::optional<int> parse_gen(std::span<const std::string_view> args, std::ostream& out,
                             std::ostream& err, GenFlags& flags) {
  CLI::App app{
      "Runs a fleet of proxies sending attack events to Gracelands (failing over between them), "
      "and writes the ledger of what each event became.",
      "lj gen"};
  declare_gen_flags(app, flags);
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  if (!parse_gen_accounts(flags.accounts_text, flags.accounts)) {
    err << "lj gen: bad value '" << flags.accounts_text << "' for --accounts\n";
    return 2;
  }
  if (!flags.weights_text.empty()) {
    const std::optional<proxy::AccountWeights> parsed =
        proxy::parse_account_weights(flags.weights_text);
    if (!parsed) {
      err << "lj gen: bad value '" << flags.weights_text << "' for --account-weights\n";
      return 2;
    }
    flags.weights = *parsed;
  }
  return std::nullopt;
}

using Fleet = std::vector<std::unique_ptr<proxy::Proxy>>;

// The proxies, started. With --journal-dir each keeps a durable queue: a proxy started again
// with the same ids resends what it queued and never had acknowledged, and numbers new events
// after every id it used.
Fleet start_fleet(const Env& env, const GenFlags& flags, proxy::Ledger& ledger) {
  Fleet fleet;
  for (uint64_t p = 0; p < flags.proxies; ++p) {
    proxy::ProxyOptions options;
    options.proxy_id = flags.first_id + p;
    options.pop = flags.pop;
    options.accounts = flags.accounts;
    options.account_weights = flags.weights;
    options.gracelands = flags.gracelands;
    options.events_per_second = static_cast<double>(flags.rate);
    options.max_events = flags.events;
    options.batch_events = flags.batch;
    if (!flags.journal_dir.empty())
      options.journal_path =
          flags.journal_dir + "/proxy-" + std::to_string(options.proxy_id) + ".journal";
    fleet.push_back(std::make_unique<proxy::Proxy>(env, options, ledger));
    fleet.back()->start();
  }
  return fleet;
}

proxy::ProxyStats totals(const Fleet& fleet) {
  proxy::ProxyStats total;
  for (const auto& p : fleet) {
    total.produced += p->stats().produced;
    total.acknowledged += p->stats().acknowledged;
    total.dropped += p->stats().dropped;
    total.failovers += p->stats().failovers;
    if (!p->stats().last_error.empty()) total.last_error = p->stats().last_error;
  }
  return total;
}

// Until every proxy is idle or the deadline passes; with --progress-s, a line on `err` every
// so often meanwhile.
Task<void> wait_for(Clock& clock, const Fleet& fleet, Duration deadline, Duration progress_interval,
                    std::ostream& err) {
  const Duration poll = std::chrono::milliseconds(20);
  const Duration started = clock.monotonic_now();
  Duration next_progress = started + progress_interval;
  for (;;) {
    bool idle = true;
    for (const auto& p : fleet) idle = idle && p->idle();
    if (idle || clock.monotonic_now() >= deadline) co_return;
    if (progress_interval.count() > 0 && clock.monotonic_now() >= next_progress) {
      const proxy::ProxyStats now = totals(fleet);
      const double s = std::chrono::duration<double>(clock.monotonic_now() - started).count();
      err << "lj gen: " << static_cast<int64_t>(s) << "s produced=" << now.produced
          << " acknowledged=" << now.acknowledged << " dropped=" << now.dropped
          << " failovers=" << now.failovers << "\n"
          << std::flush;
      next_progress += progress_interval;
    }
    co_await clock.sleep_for(poll);
  }
}

void print_totals(const proxy::ProxyStats& total, double seconds, std::ostream& out) {
  out << "produced=" << total.produced << " acknowledged=" << total.acknowledged
      << " dropped=" << total.dropped
      << " unacknowledged=" << (total.produced - total.acknowledged - total.dropped)
      << " failovers=" << total.failovers << " seconds=" << seconds
      << " acked_per_s=" << (seconds > 0 ? static_cast<double>(total.acknowledged) / seconds : 0)
      << "\n";
}

}  // namespace

int run_gen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  GenFlags flags;
  if (std::optional<int> done = parse_gen(args, out, err, flags)) return *done;
  RealRuntime runtime(".");
  Env env = runtime.env();
  // The proxies reach their Gracelands over mutual TLS (their certificate names their ids).
  std::unique_ptr<Network> tls_network;
  Result<Env> proxy_env = cmd::graceland_env(env, flags.tls, tls_network);
  if (!proxy_env.ok()) {
    err << "lj gen: " << proxy_env.error().to_string() << "\n";
    return 2;
  }
  if (!flags.journal_dir.empty()) {
    if (Status s = env.files.create_dir(flags.journal_dir); !s.ok()) {
      err << "lj gen: --journal-dir " << flags.journal_dir << ": " << s.to_string() << "\n";
      return 1;
    }
  }
  proxy::MemoryLedger ledger;
  const Fleet fleet = start_fleet(*proxy_env, flags, ledger);
  const Duration started = env.clock.monotonic_now();
  runtime.run(wait_for(env.clock, fleet, started + std::chrono::seconds(flags.timeout_s),
                       std::chrono::seconds(flags.progress_s), err));
  const double seconds = std::chrono::duration<double>(env.clock.monotonic_now() - started).count();
  const proxy::ProxyStats total = totals(fleet);
  if (!flags.ledger_path.empty()) {
    std::ofstream file(flags.ledger_path, std::ios::trunc);
    file << proxy::format_ledger(ledger.entries());
    if (!file) {
      err << "lj gen: cannot write ledger " << flags.ledger_path << "\n";
      return 1;
    }
  }
  print_totals(total, seconds, out);
  if (total.acknowledged != total.produced && !total.last_error.empty()) {
    err << "lj gen: last error: " << total.last_error << "\n";
  }
  return total.acknowledged == total.produced ? 0 : 1;
}

}  // namespace lj
