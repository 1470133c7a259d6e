#include "prod/delivery/nginx_configurator.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

#include "prod/io/files.h"
#include "prod/io/invariant.h"

namespace lj::delivery {

namespace {

using lumberjack::CustomerConfig;

constexpr Duration kStopCheckInterval = std::chrono::milliseconds(200);

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text));
}

bool parse_account(const std::string& text, uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

NginxConfigurator::NginxConfigurator(Env env, Coordinator& coordinator,
                                     NginxConfiguratorOptions options, ReloadNginx reload)
    : env_(env),
      coordinator_(coordinator),
      options_(std::move(options)),
      reload_(std::move(reload)) {
  LJ_ASSERT(reload_);
  LJ_ASSERT(!options_.nginx_dir.empty());
}

NginxConfigurator::~NginxConfigurator() = default;

void NginxConfigurator::log(LogLevel level, const std::string& line) const {
  if (options_.log) {
    options_.log(level, line);
  } else {
    std::fprintf(stderr, "nginx configurator: %s\n", line.c_str());
  }
}

std::string NginxConfigurator::include_path() const {
  return options_.nginx_dir + "/" + std::string(kIncludeName);
}

std::string NginxConfigurator::htpasswd_dir() const {
  return options_.nginx_dir + "/" + std::string(kHtpasswdDirName);
}

Task<void> NginxConfigurator::run() {
  std::string last_failure;
  while (!stopping_) {
    if (session_ && session_->state() == SessionState::kExpired) {
      co_await session_->close();
      session_.reset();
    }
    if (!session_) {
      Result<std::unique_ptr<CoordinatorSession>> connected =
          co_await coordinator_.connect(options_.session_timeout, options_.connect_timeout);
      if (!connected.ok()) {
        const std::string failure = "zookeeper: " + connected.error().to_string();
        if (failure != last_failure) log(LogLevel::kWarn, failure + " (retrying)");
        last_failure = failure;
        ++status_.failures;
        co_await pause(options_.retry_interval);
        continue;
      }
      session_ = std::move(*connected);
    }
    // Everything is read again below, so events queued so far say nothing new.
    (void)session_->take_events();

    std::string failure;
    Result<std::vector<CustomerConfig>> customers = co_await read_customers(*session_);
    if (!customers.ok()) {
      failure = "reading customers: " + customers.error().to_string();
    } else {
      RenderedNginxConfig rendered = render_nginx_config(*customers, options_.render);
      std::vector<std::string> rejected = read_rejected_;
      rejected.insert(rejected.end(), rendered.rejected.begin(), rendered.rejected.end());
      if (rejected != last_rejected_) {
        for (const std::string& why : rejected) log(LogLevel::kWarn, "not serving " + why);
        last_rejected_ = rejected;
      }
      status_.customers_served = rendered.served;
      status_.customers_rejected = rejected.size();
      if (!applied_ || *applied_ != rendered) {
        if (Status s = co_await apply(rendered); !s.ok()) failure = s.to_string();
      }
    }
    if (!failure.empty()) {
      if (failure != last_failure) log(LogLevel::kWarn, failure + " (retrying)");
      last_failure = failure;
      ++status_.failures;
      // A plain sleep: while the service is unreachable, session events may come at once.
      co_await pause(options_.retry_interval);
      continue;
    }
    if (!last_failure.empty())
      log(LogLevel::kInfo,
          "recovered; serving " + std::to_string(status_.customers_served) + " customers");
    last_failure.clear();

    // Until a watch fires, the session changes state, the recheck is due, or stop().
    const Duration deadline = env_.clock.monotonic_now() + options_.recheck_interval;
    while (!stopping_ && session_) {
      const Duration now = env_.clock.monotonic_now();
      if (now >= deadline) break;
      co_await session_->wait_for_events(std::min(deadline - now, kStopCheckInterval));
      std::vector<CoordinatorEvent> events = session_->take_events();
      if (events.empty()) continue;
      const bool expired = std::any_of(events.begin(), events.end(), [](const CoordinatorEvent& e) {
        return e.kind == CoordinatorEvent::Kind::kSession && e.state == SessionState::kExpired;
      });
      if (expired) {
        log(LogLevel::kWarn, "zookeeper session expired; opening a new one");
        co_await session_->close();
        session_.reset();
      }
      break;
    }
  }
  if (session_) {
    co_await session_->close();
    session_.reset();
  }
}

Task<void> NginxConfigurator::pause(Duration duration) {
  const Duration until = env_.clock.monotonic_now() + duration;
  while (!stopping_) {
    const Duration now = env_.clock.monotonic_now();
    if (now >= until) break;
    co_await env_.clock.sleep_for(std::min(until - now, kStopCheckInterval));
  }
}

Task<Result<std::vector<CustomerConfig>>> NginxConfigurator::read_customers(
    CoordinatorSession& session) {
  read_rejected_.clear();
  const std::string dir = options_.layout.customers();
  Result<std::vector<std::string>> names = co_await session.children(dir, true);
  if (!names.ok()) {
    if (names.code() != ErrorCode::kNotFound) co_return names.error();
    // No customer was ever added: watch for the folder to appear.
    Result<std::optional<int32_t>> exists = co_await session.exists(dir, true);
    if (!exists.ok()) co_return exists.error();
    if (exists->has_value())
      co_return Error(ErrorCode::kUnavailable, dir + " appeared while being read");
    co_return std::vector<CustomerConfig>{};
  }
  std::vector<CustomerConfig> customers;
  for (const std::string& name : *names) {
    const std::string path = options_.layout.customer(name);
    Result<NodeData> node = co_await session.get(path, true);
    if (!node.ok()) {
      if (node.code() == ErrorCode::kNotFound)
        continue;  // removed meanwhile: the children watch fired
      co_return node.error();
    }
    Result<CustomerConfig> config = CustomerConfig::decode(node->data);
    if (!config.ok()) {
      read_rejected_.push_back("customer " + name + ": unreadable: " + config.error().to_string());
      continue;
    }
    uint64_t account = 0;
    if (!parse_account(name, account) || account != config->account_id) {
      read_rejected_.push_back("customer " + name + ": its node holds account " +
                               std::to_string(config->account_id));
      continue;
    }
    customers.push_back(std::move(*config));
  }
  co_return customers;
}

Task<Status> NginxConfigurator::write_if_changed(const std::string& path,
                                                 const std::string& contents) {
  Result<std::string> existing = read_file(env_.files, path);
  if (existing.ok() && *existing == contents) co_return Status();
  co_return co_await write_file_atomically(env_.files, path, bytes_of(contents));
}

Task<Status> NginxConfigurator::apply(const RenderedNginxConfig& rendered) {
  const std::string dir = htpasswd_dir();
  if (Status s = co_await create_dir_durably(env_.files, dir); !s.ok()) co_return s;
  // Credentials first: the include about to be loaded names them.
  for (const auto& [name, contents] : rendered.htpasswd) {
    const std::string path = dir + "/" + name;
    if (Status s = co_await write_if_changed(path, contents); !s.ok()) co_return s;
  }
  const std::string include = include_path();
  if (Status s = co_await write_if_changed(include, rendered.include); !s.ok()) co_return s;
  // The first round after a start reloads whatever nginx loaded before: it may be stale.
  if (!applied_ || applied_->include != rendered.include) {
    Status reloaded = co_await reload_();
    if (!reloaded.ok())
      co_return Error(reloaded.code(), "nginx reload: " + reloaded.error().message());
    ++status_.reloads;
  }
  applied_ = rendered;
  ++status_.applied;
  log(LogLevel::kInfo,
      "applied: " + std::to_string(status_.customers_served) + " customers served");
  // Only now may a dropped customer's credentials go: no loaded configuration names them.
  if (Status s = co_await remove_stale_htpasswd(rendered); !s.ok()) {
    log(LogLevel::kWarn,
        "removing old credentials: " + s.to_string() + " (retried at the next change)");
  }
  co_return Status();
}

Task<Status> NginxConfigurator::remove_stale_htpasswd(const RenderedNginxConfig& rendered) {
  const std::string dir = htpasswd_dir();
  Result<std::vector<std::string>> names = env_.files.list(dir);
  if (!names.ok()) co_return names.status();
  bool removed = false;
  for (const std::string& name : *names) {
    if (rendered.htpasswd.contains(name)) continue;
    if (Status s = env_.files.remove(dir + "/" + name); !s.ok() && s.code() != ErrorCode::kNotFound)
      co_return s;
    removed = true;
  }
  if (removed) co_return co_await env_.files.sync_dir(dir);
  co_return Status();
}

}  // namespace lj::delivery
