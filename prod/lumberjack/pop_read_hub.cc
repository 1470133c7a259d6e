#include "prod/lumberjack/pop_read_hub.h"

#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "prod/io/invariant.h"

namespace lj::lumberjack {

namespace {

struct PendingRead {
  graceland::ReadRequest request;
  PopReadHub::Done done;
};

// A round trip's reads: the first kMaxReadManyAccounts of the queue.
std::vector<PendingRead> take_trip(std::deque<PendingRead>& queue) {
  const size_t n = std::min<size_t>(queue.size(), graceland::kMaxReadManyAccounts);
  std::vector<PendingRead> trip(std::make_move_iterator(queue.begin()),
                                std::make_move_iterator(queue.begin() + n));
  queue.erase(queue.begin(), queue.begin() + n);
  return trip;
}

}  // namespace

struct PopReadHub::Shared {
  struct Channel {
    std::string address;            // where the PoP is now, as the last read said
    std::string connected_address;  // where `client` is connected
    std::unique_ptr<graceland::GracelandClient> client;
    std::deque<PendingRead> queue;  // not yet sent
    bool draining = false;          // a drain task runs for this PoP
    std::optional<bool> reachable;  // how its last call ended (none yet: unknown)
  };
  std::string client_name;
  Duration call_timeout{0};
  uint32_t reply_budget = 0;
  uint64_t round_trips = 0;
  std::map<std::string, Channel> channels;  // never erased: drain holds a reference
};

PopReadHub::PopReadHub(const Env& env, std::string client_name, Duration call_timeout,
                       uint32_t reply_budget)
    : env_(env), shared_(std::make_shared<Shared>()) {
  LJ_ASSERT(reply_budget > 0 && reply_budget <= graceland::kMaxReadManyBudget);
  shared_->client_name = std::move(client_name);
  shared_->call_timeout = call_timeout;
  shared_->reply_budget = reply_budget;
}

PopReadHub::~PopReadHub() = default;

void PopReadHub::read(const std::string& pop, const std::string& address,
                      graceland::ReadRequest request, Done done) {
  Shared::Channel& channel = shared_->channels[pop];
  channel.address = address;
  channel.queue.push_back(PendingRead{std::move(request), std::move(done)});
  if (channel.draining) return;
  channel.draining = true;
  env_.executor.spawn(drain(env_, shared_, pop));
}

uint64_t PopReadHub::round_trips() const {
  return shared_->round_trips;
}

std::map<std::string, bool> PopReadHub::reachable() const {
  std::map<std::string, bool> out;
  for (const auto& [pop, channel] : shared_->channels) {
    if (channel.reachable) out.emplace(pop, *channel.reachable);
  }
  return out;
}

size_t PopReadHub::connections() const {
  size_t open = 0;
  for (const auto& [pop, channel] : shared_->channels) open += channel.client ? 1 : 0;
  return open;
}

Task<void> PopReadHub::drain(Env env, std::shared_ptr<Shared> shared, std::string pop) {
  Shared::Channel& channel = shared->channels[pop];
  // Never answer inside read(); and the reads asked for in this instant travel together.
  co_await env.executor.yield();
  while (!channel.queue.empty()) {
    if (channel.client && channel.connected_address != channel.address)
      channel.client.reset();  // the PoP moved
    if (!channel.client) {
      // The directory says where PoP `pop` is; its Graceland's certificate must say so too.
      const std::string address = channel.address;
      auto connected = co_await graceland::GracelandClient::connect(
          env, address, shared->client_name, shared->call_timeout, pop);
      if (!connected.ok()) {
        channel.reachable = false;
        std::deque<PendingRead> failed = std::exchange(channel.queue, {});
        for (PendingRead& read : failed) read.done(connected.error());
        continue;
      }
      channel.client = std::move(*connected);
      channel.connected_address = address;
    }
    std::vector<PendingRead> trip = take_trip(channel.queue);
    graceland::ReadManyRequest request;
    request.reply_budget = shared->reply_budget;
    ++shared->round_trips;
    for (const PendingRead& read : trip) request.reads.push_back(read.request);
    Result<graceland::ReadManyReply> reply = co_await channel.client->read_many(request);
    channel.reachable = reply.ok();
    if (!reply.ok()) {
      channel.client.reset();  // it may have been left mid-frame
      for (PendingRead& read : trip) read.done(reply.error());
      continue;
    }
    LJ_ASSERT(reply->entries.size() == trip.size());  // parse_read_many_reply checks the count
    // Unread ones go back first, in their order, so that answers given below that ask again
    // queue behind them.
    for (size_t i = trip.size(); i-- > 0;) {
      if (reply->entries[i].outcome == graceland::ReadManyOutcome::kNotRead) {
        channel.queue.push_front(std::move(trip[i]));
      }
    }
    LJ_ASSERT(reply->entries[0].outcome !=
              graceland::ReadManyOutcome::kNotRead);  // the first is always read
    for (size_t i = 0; i < trip.size(); ++i) {
      graceland::ReadManyEntry& entry = reply->entries[i];
      if (entry.outcome == graceland::ReadManyOutcome::kBatch) trip[i].done(std::move(entry.batch));
      if (entry.outcome == graceland::ReadManyOutcome::kFailed)
        trip[i].done(std::move(entry.error));
    }
  }
  channel.draining = false;
}

}  // namespace lj::lumberjack
