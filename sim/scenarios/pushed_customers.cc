#include "sim/scenarios/pushed_customers.h"

#include <charconv>
#include <utility>

#include "prod/audit/syslog_received.h"
#include "prod/io/distributions.h"
#include "prod/logfile/test_keys.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "prod/lumberjack/push_challenge.h"
#include "prod/lumberjack/push_cursor.h"
#include "prod/lumberjack/zk_layout.h"
#include "sim/scenarios/object_names.h"
#include "sim/scenarios/parsed_keys.h"
#include "sim/scenarios/stream_destination.h"
#include "sim/sim_node.h"

namespace lj::sim {
namespace {

constexpr std::string_view kUrlPrefix = "sim://customer-";
constexpr std::string_view kStreamUrlPrefix = "syslog+sim://customer-";
// The cluster's push key in every simulated world. Customers pushed to a collector all have key
// 0 (delivery_customers.cc), so no file's two wraps are for the same key.
constexpr size_t kPushKeyIndex = 2;

// One customer's folder at the destinations, as a PushDestination.
class FolderDestination final : public PushDestination {
 public:
  FolderDestination(ObjectStore& store, std::string folder)
      : store_(store), folder_(std::move(folder)) {}
  Task<Status> put(const std::string& name, std::string contents) override {
    const std::string full = folder_ + "/" + name;
    co_return co_await store_.put(full, std::move(contents));
  }

 private:
  ObjectStore& store_;
  std::string folder_;
};

// "customer-<account>/<account>_<seq>.log" -> the folder's account and the file's name.
std::optional<std::pair<uint64_t, std::string>> split_destination_name(const std::string& name) {
  const size_t slash = name.find('/');
  if (!name.starts_with("customer-") || slash == std::string::npos) return std::nullopt;
  uint64_t account = 0;
  const char* first = name.data() + 9;
  auto [end, ec] = std::from_chars(first, name.data() + slash, account);
  if (ec != std::errc() || end != name.data() + slash) return std::nullopt;
  return std::pair(account, name.substr(slash + 1));
}

}  // namespace

class PushedCustomers::NodeDestinations final : public PushDestinations {
 public:
  NodeDestinations(ObjectStore& store, PushedCustomers& world) : store_(store), world_(world) {}
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override {
    if (target.url.starts_with(kStreamUrlPrefix)) {
      return std::shared_ptr<PushDestination>(std::make_shared<StreamDestination>(
          store_, target.url.substr(std::string_view("syslog+sim://").size()), *world_.push_key_,
          [this] { return ++world_.sessions_; }, world_.cuts_));
    }
    if (!target.url.starts_with(kUrlPrefix)) {
      return Error(ErrorCode::kInvalidArgument,
                   "unknown push destination '" + target.url.substr(0, 64) + "'");
    }
    return std::shared_ptr<PushDestination>(std::make_shared<FolderDestination>(
        store_, target.url.substr(std::string_view("sim://").size())));
  }

 private:
  ObjectStore& store_;
  PushedCustomers& world_;
};

PushedCustomers::PushedCustomers(Simulation& simulation, SimObjectStore& central,
                                 SimZooKeeper& zookeeper, std::map<uint64_t, std::string> folders,
                                 std::set<uint64_t> streams, Publications publication,
                                 uint64_t seed)
    : simulation_(simulation),
      central_(central),
      folders_(std::move(folders)),
      destinations_(simulation),
      streams_(std::move(streams)),
      publication_(std::move(publication)),
      push_key_(parsed_private_key(std::string(test_key_pairs()[kPushKeyIndex].private_pkcs8_pem))),
      push_public_key_(std::make_shared<const RsaPublicKey>(RsaPublicKey::of(*push_key_))),
      cuts_(mix_seed(seed, hash_string("syslog session cuts"))) {
  central_.add_change_watcher(
      [this](const SimObjectStore::Change& change) { on_central_change(change); });
  destinations_.add_change_watcher(
      [this](const SimObjectStore::Change& change) { judge_put(change); });
  zookeeper.add_write_watcher([this](const SimZooKeeper::Write& write) {
    judge_cursor(write);
    judge_config(write);
  });
}

const PublishMonitor::Publication* PushedCustomers::publication_of(uint64_t account,
                                                                   uint64_t seq) const {
  auto folder = folders_.find(account);
  if (folder == folders_.end()) return nullptr;
  return publication_(folder->second + "/" + log_file_name(account, seq));
}

bool PushedCustomers::holds(uint64_t account, uint64_t seq) const {
  if (streams_.contains(account)) {
    const PublishMonitor::Publication* published = publication_of(account, seq);
    if (published == nullptr) return false;
    auto arrived = arrived_.find({account, seq});
    const size_t places = arrived == arrived_.end() ? 0 : arrived->second.size();
    return places == published->events.size();
  }
  const std::string file = log_file_name(account, seq);
  auto published = published_.find(file);
  auto there = destinations_.objects().find("customer-" + std::to_string(account) + "/" + file);
  return published != published_.end() && there != destinations_.objects().end() &&
         hash_string(there->second) == published->second.contents_hash;
}

void PushedCustomers::judge_cursor(const SimZooKeeper::Write& write) {
  const std::string prefix = lumberjack::ZkLayout{}.pushed() + "/";
  if (write.kind == SimZooKeeper::Write::Kind::kRemove || !write.path.starts_with(prefix)) return;
  uint64_t account = 0;
  const std::string_view text = std::string_view(write.path).substr(prefix.size());
  if (std::from_chars(text.data(), text.data() + text.size(), account).ec != std::errc()) return;
  Result<lumberjack::PushCursor> cursor = lumberjack::PushCursor::decode(write.data);
  if (!cursor.ok()) {
    report("a push cursor that does not decode: " + write.path);
    return;
  }
  ++cursors_judged_;
  if (write.kind == SimZooKeeper::Write::Kind::kCreate) {
    pushed_from_[account] = cursor->through;  // a new destination starts here
    cursor_through_[account] = cursor->through;
    return;
  }
  uint64_t& through = cursor_through_[account];
  if (cursor->through < through) {
    report("the push cursor of customer " + std::to_string(account) + " moved back from " +
           std::to_string(through) + " to " + std::to_string(cursor->through));
    return;
  }
  for (uint64_t seq = through + 1; seq <= cursor->through; ++seq) {
    if (holds(account, seq) || missed_.contains({account, seq})) continue;
    report("the push cursor of customer " + std::to_string(account) +
           " says its destination has file " + std::to_string(seq) + " through " +
           std::to_string(cursor->through) + ", which it does not");
    return;
  }
  through = std::max(through, cursor->through);
}

void PushedCustomers::judge_config(const SimZooKeeper::Write& write) {
  const std::string prefix = lumberjack::ZkLayout{}.customers() + "/";
  if (!write.path.starts_with(prefix)) return;
  uint64_t account = 0;
  const std::string_view text = std::string_view(write.path).substr(prefix.size());
  if (std::from_chars(text.data(), text.data() + text.size(), account).ec != std::errc()) return;
  if (write.kind == SimZooKeeper::Write::Kind::kRemove) return;
  // Once confirmed, always: a put that lands after the customer was removed (or its configuration
  // changed) is a stale owner's late one, to a destination its owner did confirm.
  Result<lumberjack::CustomerConfig> config = lumberjack::CustomerConfig::decode(write.data);
  const std::string url = streams_.contains(account) ? stream_url_for(account) : url_for(account);
  if (config.ok() && config->push_confirmed && config->push.url == url) confirmed_.insert(account);
}

std::optional<std::string> PushedCustomers::token_at_destination(uint64_t account) const {
  if (streams_.contains(account)) {
    // The newest challenge message among the collector's sessions (they sort by number).
    const std::string prefix =
        StreamDestination::sessions_prefix("customer-" + std::to_string(account));
    std::optional<std::string> token;
    const auto& objects = destinations_.objects();
    for (auto it = objects.lower_bound(prefix);
         it != objects.end() && it->first.starts_with(prefix); ++it) {
      audit::for_each_syslog_frame(it->second, [&token](std::string_view message) {
        const size_t at = message.find(" challenge - ");
        const size_t token_at = message.find(" token=");
        if (at != std::string_view::npos && token_at != std::string_view::npos)
          token = std::string(message.substr(token_at + 7, 32));
      });
    }
    return token;
  }
  auto it = destinations_.objects().find("customer-" + std::to_string(account) + "/" +
                                         lumberjack::challenge_object_name(account));
  if (it == destinations_.objects().end()) return std::nullopt;
  return lumberjack::token_in_challenge(it->second);
}

void PushedCustomers::start_confirming(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                                       std::map<std::string, uint64_t>& coverage) {
  admin.spawn(confirm_destinations(coordinator, admin.env(), seed, coverage));
}

Task<void> PushedCustomers::confirm_destinations(Coordinator& coordinator, Env env, uint64_t seed,
                                                 std::map<std::string, uint64_t>& coverage) {
  SplitMix64 random(mix_seed(seed, hash_string("push confirmations")));
  std::set<uint64_t> waiting;
  for (const auto& [account, folder] : folders_) waiting.insert(account);
  const lumberjack::ZkLayout layout;
  while (!waiting.empty()) {
    // A customer looks at its destination now and then, not the instant a check lands.
    co_await env.clock.sleep_for(std::chrono::milliseconds(uniform_between(random, 200, 3000)));
    for (auto it = waiting.begin(); it != waiting.end();) {
      const uint64_t account = *it;
      const std::optional<std::string> token = token_at_destination(account);
      if (!token) {
        ++it;
        continue;
      }
      auto session =
          co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
      if (!session.ok()) break;
      Result<std::string> confirmed =
          co_await lumberjack::confirm_push(**session, layout, account, *token);
      if (!confirmed.ok() && confirmed.code() == ErrorCode::kPermissionDenied) {
        // The destination holds another token than ZooKeeper's hash: a fresh check, as `lj ctl
        // set --push-url` asks for.
        const std::string path = layout.push_challenge(std::to_string(account));
        const Status cleared = co_await (*session)->remove(path);
        if (cleared.ok()) ++coverage["state an ownership check written afresh"];
      }
      co_await (*session)->close();
      const bool removed =
          !confirmed.ok() && confirmed.error().message().starts_with("no customer");
      if (confirmed.ok()) ++coverage["state a push destination confirmed by its owner"];
      it = confirmed.ok() || removed ? waiting.erase(it) : std::next(it);
    }
  }
}

PushedCustomers::~PushedCustomers() = default;

std::string PushedCustomers::url_for(uint64_t account) {
  return std::string(kUrlPrefix) + std::to_string(account);
}

std::string PushedCustomers::stream_url_for(uint64_t account) {
  return std::string(kStreamUrlPrefix) + std::to_string(account);
}

PushDestinations& PushedCustomers::destinations_for(SimNode& node) {
  std::unique_ptr<NodeDestinations>& slot = per_node_[node.id()];
  if (!slot) slot = std::make_unique<NodeDestinations>(destinations_.client(node), *this);
  return *slot;
}

void PushedCustomers::report(const std::string& what) {
  if (!problem_.empty()) return;
  problem_ = "push monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) + " ms: " + what;
  simulation_.trace(kNoNode, "MONITOR: " + problem_);
}

void PushedCustomers::on_central_change(const SimObjectStore::Change& change) {
  using Kind = SimObjectStore::ChangeKind;
  if (change.kind == Kind::kRemove) return;
  const std::string& written = change.written();
  const std::optional<LogFileName> file = published_file(written);
  if (!file || !folders_.contains(file->account_id)) return;
  // A published name is written once (a second write is the pipeline's alarm, judged elsewhere):
  // the first contents are the file's.
  published_.try_emplace(log_file_name(file->account_id, file->seq),
                         Published{file->account_id, file->seq, hash_string(change.contents)});
}

void PushedCustomers::judge_put(const SimObjectStore::Change& change) {
  if (change.kind != SimObjectStore::ChangeKind::kPut) {
    report("a pusher did something other than a put at a destination: " + change.name);
    return;
  }
  ++puts_judged_;
  const auto split = split_destination_name(change.name);
  if (!split) {
    report("a put at a destination outside every customer's folder: " + change.name);
    return;
  }
  if (streams_.contains(split->first)) {
    judge_stream(split->first, change);
    return;
  }
  if (split->second == lumberjack::challenge_object_name(split->first)) {
    if (!lumberjack::token_in_challenge(change.contents))
      report("an ownership check without a token: " + change.name);
    return;
  }
  if (!confirmed_.contains(split->first)) {
    report("pushed " + change.name + " before its destination's owner confirmed it");
    return;
  }
  auto it = published_.find(split->second);
  if (it == published_.end() || it->second.account != split->first) {
    report("pushed " + change.name + ", which its customer never had published");
    return;
  }
  if (hash_string(change.contents) != it->second.contents_hash) {
    report("pushed " + change.name + " with other bytes than were published under that name");
    return;
  }
  if (destinations_.objects().contains(change.name)) ++repeats_;
}

void PushedCustomers::judge_stream(uint64_t account, const SimObjectStore::Change& change) {
  const std::string prefix =
      StreamDestination::sessions_prefix("customer-" + std::to_string(account));
  if (!change.name.starts_with(prefix)) {
    report("a put at a syslog collector that is no session: " + change.name);
    return;
  }
  std::vector<audit::ReceivedEvent> events;
  if (Status read = audit::append_syslog_frames(change.contents, 0, events); !read.ok()) {
    report("a syslog collector received what a SIEM cannot read: " + read.to_string());
    return;
  }
  // A session (or its first part) starts at a file's first place; every message follows the
  // one before it in its file.
  std::optional<uint64_t> next =
      change.name.ends_with("-1") ? std::optional<uint64_t>(0) : std::nullopt;
  for (const audit::ReceivedEvent& event : events) {
    ++messages_judged_;
    const std::string where = "customer " + std::to_string(account) + "'s collector got file " +
                              std::to_string(event.file_seq) + "'s place " +
                              std::to_string(event.index + 1);
    if (event.account_id != account) {
      report(where + " holding an event of account " + std::to_string(event.account_id));
      return;
    }
    if (!confirmed_.contains(account)) {
      report(where + " before its destination's owner confirmed it");
      return;
    }
    const PublishMonitor::Publication* published = publication_of(account, event.file_seq);
    if (published == nullptr) {
      report(where + ", a file its customer never had published");
      return;
    }
    if (event.index >= published->events.size() || published->events[event.index] != event.id) {
      report(where + " with another event than the file holds there");
      return;
    }
    if (next && event.index != *next) {
      report(where + ", out of the file's order");
      return;
    }
    next = event.index + 1;
    if (!arrived_[{account, event.file_seq}].insert(event.index).second) {
      ++messages_repeated_;
      auto cursor = cursor_through_.find(account);
      if (cursor != cursor_through_.end() && event.file_seq <= cursor->second) ++stale_repeats_;
    }
  }
}

void PushedCustomers::on_pushed(uint64_t, uint64_t) {}

void PushedCustomers::on_push_missed(uint64_t account, uint64_t seq) {
  missed_.emplace(account, seq);
  auto folder = folders_.find(account);
  if (folder == folders_.end()) {
    report("customer " + std::to_string(account) + ", which has no destination, missed a push");
    return;
  }
  const auto& objects = central_.objects();
  auto mark = objects.find(lumberjack::expired_mark_name(folder->second));
  const std::optional<uint64_t> expired_through =
      mark == objects.end() ? std::nullopt : lumberjack::parse_expired_mark(mark->second);
  const std::string name = folder->second + "/" + log_file_name(account, seq);
  if (objects.contains(name) || !expired_through || *expired_through < seq) {
    report("the pusher of customer " + std::to_string(account) + " skipped " + name +
           " as expired, which retention had not removed");
  }
}

std::string PushedCustomers::first_missing(const std::function<bool(uint64_t)>& judged) const {
  const auto& at_destinations = destinations_.objects();
  for (const auto& [file, published] : published_) {
    if (!judged(published.account) || missed_.contains({published.account, published.seq}))
      continue;
    auto from = pushed_from_.find(published.account);
    if (from != pushed_from_.end() && published.seq <= from->second)
      continue;  // before its destination
    if (streams_.contains(published.account)) {
      if (!holds(published.account, published.seq))
        return "published file " + file + " never reached its syslog collector whole";
      continue;
    }
    const std::string name = "customer-" + std::to_string(published.account) + "/" + file;
    auto it = at_destinations.find(name);
    if (it == at_destinations.end())
      return "published file " + file + " never reached its destination";
    if (hash_string(it->second) != published.contents_hash) {
      return "the destination holds " + name + " with other bytes than were published";
    }
  }
  return "";
}

bool PushedCustomers::caught_up(const std::function<bool(uint64_t)>& judged) const {
  return first_missing(judged).empty();
}

std::string PushedCustomers::check(const std::function<bool(uint64_t)>& judged) const {
  if (!problem_.empty()) return problem_;
  const std::string missing = first_missing(judged);
  return missing.empty() ? "" : "push delivery: " + missing;
}

void PushedCustomers::schedule_faults(uint64_t seed, int64_t until_ns,
                                      std::map<std::string, uint64_t>& coverage) {
  SplitMix64 draws(mix_seed(seed, hash_string("push destination faults")));
  Random& random = draws;
  int64_t at = simulation_.now_ns() + uniform_between(random, 0, 5'000'000'000);
  while (at < until_ns) {
    const int64_t length = uniform_between(random, 500'000'000, 20'000'000'000);
    const uint64_t kind = uniform_below(random, 4);
    const double failure_rate = 0.2 + 0.6 * uniform_unit(random);
    static constexpr const char* kNames[] = {"push destination down", "push destination paused",
                                             "push destination flaky", "push destination slow"};
    simulation_.schedule_at(at, kNoNode, EventKind::kFault, [this, kind, failure_rate, &coverage] {
      ++coverage[kNames[kind]];
      simulation_.trace(kNoNode, std::string("fault: ") + kNames[kind]);
      if (kind == 0) destinations_.set_available(false);
      if (kind == 1) destinations_.set_paused(true);
      if (kind == 2) destinations_.set_failure_rate(failure_rate);
      if (kind == 3) destinations_.set_slow(true);
    });
    simulation_.schedule_at(std::min(at + length, until_ns), kNoNode, EventKind::kFault,
                            [this] { heal(); });
    at += length + uniform_between(random, 1'000'000'000, 30'000'000'000);
  }
}

void PushedCustomers::heal() {
  destinations_.set_available(true);
  destinations_.set_paused(false);
  destinations_.set_failure_rate(0);
  destinations_.set_slow(false);
}

}  // namespace lj::sim
