#include "prod/cmd/lj/gen_command.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <functional>
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

int run_gen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Runs a fleet of proxies sending attack events to Gracelands (failing over between them), "
      "and "
      "writes the ledger of what each event became.",
      "lj gen"};
  std::vector<std::string> gracelands;
  std::string accounts_text = "1001,1002", weights_text;
  uint64_t proxies = 4, rate = 200, events = 1000, batch = 50, first_id = 1, timeout_s = 120;
  uint64_t progress_s = 0;
  std::string pop = "gen", ledger_path, journal_dir;
  cmd::GracelandTlsFlags tls;
  app.add_option("--gracelands", gracelands,
                 "HOST:PORT,...: the first is home, the others failover")
      ->required()
      ->delimiter(',');
  app.add_option("--accounts", accounts_text,
                 "the customers, ids and FIRST-LAST ranges: 1001,2000-2099")
      ->capture_default_str();
  app.add_option("--account-weights", weights_text,
                 "how events split between the accounts: uniform, or zipf:S (0 < S <= 4)");
  app.add_option("--proxies", proxies, "proxies")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}))
      ->capture_default_str();
  app.add_option("--rate", rate, "events/s per proxy")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--events", events, "events per proxy")->capture_default_str();
  app.add_option("--batch", batch, "events per batch")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}))
      ->capture_default_str();
  app.add_option("--first-proxy-id", first_id, "the first proxy's id (the rest follow)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--progress-s", progress_s, "print a progress line every S seconds (0: never)");
  app.add_option("--timeout-s", timeout_s, "give up on what is not acknowledged after S seconds")
      ->capture_default_str();
  app.add_option("--pop", pop, "the PoP the proxies say they are in")->capture_default_str();
  app.add_option("--ledger", ledger_path, "write the ledger here (for lj check and lj audit)");
  app.add_option("--journal-dir", journal_dir,
                 "each proxy's durable queue: a restarted proxy resends and never "
                 "reuses an id");
  tls.add_to(app);
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  std::vector<uint64_t> accounts;
  if (!parse_gen_accounts(accounts_text, accounts)) {
    err << "lj gen: bad value '" << accounts_text << "' for --accounts\n";
    return 2;
  }
  proxy::AccountWeights weights;
  if (!weights_text.empty()) {
    const std::optional<proxy::AccountWeights> parsed = proxy::parse_account_weights(weights_text);
    if (!parsed) {
      err << "lj gen: bad value '" << weights_text << "' for --account-weights\n";
      return 2;
    }
    weights = *parsed;
  }

  RealRuntime runtime(".");
  Env env = runtime.env();
  // The proxies reach their Gracelands over mutual TLS (their certificate names their ids).
  std::unique_ptr<Network> tls_network;
  Result<Env> proxy_env = cmd::graceland_env(env, tls, tls_network);
  if (!proxy_env.ok()) {
    err << "lj gen: " << proxy_env.error().to_string() << "\n";
    return 2;
  }
  // Each proxy's durable queue: a proxy started again with the same ids resends what it
  // queued and never had acknowledged, and numbers new events after every id it used.
  if (!journal_dir.empty()) {
    if (Status s = env.files.create_dir(journal_dir); !s.ok()) {
      err << "lj gen: --journal-dir " << journal_dir << ": " << s.to_string() << "\n";
      return 1;
    }
  }
  proxy::MemoryLedger ledger;
  std::vector<std::unique_ptr<proxy::Proxy>> fleet;
  for (uint64_t p = 0; p < proxies; ++p) {
    proxy::ProxyOptions options;
    options.proxy_id = first_id + p;
    options.pop = pop;
    options.accounts = accounts;
    options.account_weights = weights;
    options.gracelands = gracelands;
    options.events_per_second = static_cast<double>(rate);
    options.max_events = events;
    options.batch_events = batch;
    if (!journal_dir.empty())
      options.journal_path =
          journal_dir + "/proxy-" + std::to_string(options.proxy_id) + ".journal";
    fleet.push_back(std::make_unique<proxy::Proxy>(*proxy_env, options, ledger));
    fleet.back()->start();
  }
  const Duration started = env.clock.monotonic_now();
  const Duration deadline = started + std::chrono::seconds(timeout_s);
  auto totals = [&fleet] {
    proxy::ProxyStats total;
    for (const auto& p : fleet) {
      total.produced += p->stats().produced;
      total.acknowledged += p->stats().acknowledged;
      total.dropped += p->stats().dropped;
      total.failovers += p->stats().failovers;
      if (!p->stats().last_error.empty()) total.last_error = p->stats().last_error;
    }
    return total;
  };
  // --progress-s: a line on stderr every N seconds while the load runs.
  const Duration progress_interval = std::chrono::seconds(progress_s);
  const std::function<void()> progress = [&err, &totals, &env, started] {
    const proxy::ProxyStats now = totals();
    const double s = std::chrono::duration<double>(env.clock.monotonic_now() - started).count();
    err << "lj gen: " << static_cast<int64_t>(s) << "s produced=" << now.produced
        << " acknowledged=" << now.acknowledged << " dropped=" << now.dropped
        << " failovers=" << now.failovers << "\n"
        << std::flush;
  };
  runtime.run([](Clock& clock, std::vector<std::unique_ptr<proxy::Proxy>>& fleet, Duration deadline,
                 Duration progress_interval, const std::function<void()>& progress) -> Task<void> {
    const Duration poll = std::chrono::milliseconds(20);
    Duration next_progress = clock.monotonic_now() + progress_interval;
    for (;;) {
      bool idle = true;
      for (const auto& p : fleet) idle = idle && p->idle();
      if (idle || clock.monotonic_now() >= deadline) co_return;
      if (progress_interval.count() > 0 && clock.monotonic_now() >= next_progress) {
        progress();
        next_progress += progress_interval;
      }
      co_await clock.sleep_for(poll);
    }
  }(env.clock, fleet, deadline, progress_interval, progress));
  const double seconds = std::chrono::duration<double>(env.clock.monotonic_now() - started).count();

  const proxy::ProxyStats total = totals();
  if (!ledger_path.empty()) {
    std::ofstream file(ledger_path, std::ios::trunc);
    file << proxy::format_ledger(ledger.entries());
    if (!file) {
      err << "lj gen: cannot write ledger " << ledger_path << "\n";
      return 1;
    }
  }
  out << "produced=" << total.produced << " acknowledged=" << total.acknowledged
      << " dropped=" << total.dropped
      << " unacknowledged=" << (total.produced - total.acknowledged - total.dropped)
      << " failovers=" << total.failovers << " seconds=" << seconds
      << " acked_per_s=" << (seconds > 0 ? static_cast<double>(total.acknowledged) / seconds : 0)
      << "\n";
  if (total.acknowledged != total.produced && !total.last_error.empty()) {
    err << "lj gen: last error: " << total.last_error << "\n";
  }
  return total.acknowledged == total.produced ? 0 : 1;
}

}  // namespace lj
