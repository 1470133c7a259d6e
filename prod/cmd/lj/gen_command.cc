#include "prod/cmd/parse_number.h"
#include "prod/cmd/lj/gen_command.h"
#include "prod/cmd/common/graceland_tls.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::vector<std::string> gracelands;
  std::vector<uint64_t> accounts = {1001, 1002};
  proxy::AccountWeights weights;
  uint64_t proxies = 4, rate = 200, events = 1000, batch = 50, first_id = 1, timeout_s = 120;
  uint64_t progress_s = 0;
  std::string pop = "gen", ledger_path, journal_dir;
  cmd::GracelandTlsFlags tls;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (i + 1 >= args.size()) {
      err << "lj gen: missing value for " << flag << "\n";
      return 2;
    }
    const std::string_view value = args[++i];
    bool ok = true;
    if (flag == "--gracelands") {
      gracelands = split(value);
    } else if (flag == "--accounts") {
      ok = parse_gen_accounts(value, accounts);
    } else if (flag == "--account-weights") {
      const std::optional<proxy::AccountWeights> parsed = proxy::parse_account_weights(value);
      ok = parsed.has_value();
      if (ok) weights = *parsed;
    } else if (flag == "--proxies") {
      ok = parse_number(value, proxies) && proxies > 0 && proxies <= 10000;
    } else if (flag == "--rate") {
      ok = parse_number(value, rate) && rate > 0;
    } else if (flag == "--events") {
      ok = parse_number(value, events);
    } else if (flag == "--batch") {
      ok = parse_number(value, batch) && batch > 0 && batch <= 10000;
    } else if (flag == "--first-proxy-id") {
      ok = parse_number(value, first_id) && first_id > 0;
    } else if (flag == "--progress-s") {
      ok = parse_number(value, progress_s);
    } else if (flag == "--timeout-s") {
      ok = parse_number(value, timeout_s);
    } else if (flag == "--pop") {
      pop = std::string(value);
    } else if (flag == "--ledger") {
      ledger_path = std::string(value);
    } else if (flag == "--journal-dir") {
      journal_dir = std::string(value);
    } else if (tls.take(flag, value)) {
    } else {
      err << "lj gen: unknown flag " << flag << "\n";
      return 2;
    }
    if (!ok) {
      err << "lj gen: bad value '" << value << "' for " << flag << "\n";
      return 2;
    }
  }
  if (gracelands.empty() || accounts.empty()) {
    err << "lj gen: --gracelands HOST:PORT[,...] is required\n";
    return 2;
  }
  if (const std::string problem = tls.problem(); !problem.empty()) {
    err << "lj gen: " << problem << "\n";
    return 2;
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
    if (!journal_dir.empty()) options.journal_path = journal_dir + "/proxy-" + std::to_string(options.proxy_id) + ".journal";
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
