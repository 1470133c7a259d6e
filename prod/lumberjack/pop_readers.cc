#include "prod/lumberjack/pop_readers.h"

#include "prod/io/invariant.h"

namespace lj::lumberjack {

struct PopReaders::Shared {
  explicit Shared(Executor& executor) : finished(executor) {}
  struct Slot {
    std::string address;
    std::unique_ptr<graceland::GracelandClient> client;  // kept between reads; dropped on error
    bool running = false;
    std::optional<PopReadResult> result;
  };
  std::string client_name;
  Duration call_timeout{0};
  std::map<std::string, Slot> slots;
  uint64_t round = 0;              // reads started before a wait belong to its round
  size_t running_this_round = 0;   // of them, still running
  Notifier finished;               // a read finished, or a wait's bound passed
};

PopReaders::PopReaders(const Env& env, std::string client_name, Duration call_timeout)
    : env_(env), shared_(std::make_shared<Shared>(env.executor)) {
  shared_->client_name = std::move(client_name);
  shared_->call_timeout = call_timeout;
}

PopReaders::~PopReaders() = default;

bool PopReaders::busy(const std::string& pop) const {
  auto slot = shared_->slots.find(pop);
  return slot != shared_->slots.end() && (slot->second.running || slot->second.result.has_value());
}

void PopReaders::start(const std::string& pop, const std::string& address, const std::string& account,
                       graceland::Position from, uint32_t max_bytes, uint64_t generation) {
  LJ_ASSERT(!busy(pop));
  Shared::Slot& slot = shared_->slots[pop];
  if (slot.address != address) {
    slot.client.reset();  // the PoP moved: a new connection to its new address
    slot.address = address;
  }
  slot.running = true;
  ++shared_->running_this_round;
  env_.executor.spawn(read(env_, shared_, pop, account, from, max_bytes, generation, shared_->round));
}

Task<void> PopReaders::read(Env env, std::shared_ptr<Shared> shared, std::string pop, std::string account,
                            graceland::Position from, uint32_t max_bytes, uint64_t generation, uint64_t round) {
  Shared::Slot& slot = shared->slots[pop];  // (slots are never erased: the reference stays valid)
  PopReadResult result{from, generation};
  if (!slot.client) {
    // The directory says where PoP `pop` is; its Graceland's certificate must say so too.
    auto connected = co_await graceland::GracelandClient::connect(env, slot.address, shared->client_name,
                                                                   shared->call_timeout, pop);
    if (connected.ok()) {
      slot.client = std::move(*connected);
    } else {
      result.batch = connected.error();
    }
  }
  if (slot.client) {
    result.batch = co_await slot.client->read(account, from, max_bytes);
    // Any error but "retention removed it" may have left the stream mid-frame.
    if (!result.batch.ok() && result.batch.code() != ErrorCode::kNotFound) slot.client.reset();
  }
  slot.running = false;
  slot.result = std::move(result);
  if (round == shared->round) --shared->running_this_round;
  shared->finished.notify_all();
}

Task<void> PopReaders::wait_for_started(Duration bound) {
  std::shared_ptr<Shared> shared = shared_;  // (this pipeline may be told to stop meanwhile)
  const Duration deadline = env_.clock.monotonic_now() + bound;
  if (shared->running_this_round > 0) {
    env_.executor.spawn([](Clock& clock, Duration bound, std::weak_ptr<Shared> target) -> Task<void> {
      co_await clock.sleep_for(bound);
      if (auto alive = target.lock()) alive->finished.notify_all();
    }(env_.clock, bound, std::weak_ptr<Shared>(shared)));
  }
  while (shared->running_this_round > 0 && env_.clock.monotonic_now() < deadline) {
    co_await shared->finished.wait();
  }
  // Stragglers finish in a later round, uncounted.
  ++shared->round;
  shared->running_this_round = 0;
}

std::optional<PopReadResult> PopReaders::take(const std::string& pop) {
  auto slot = shared_->slots.find(pop);
  if (slot == shared_->slots.end() || slot->second.running) return std::nullopt;
  return std::exchange(slot->second.result, std::nullopt);
}

}  // namespace lj::lumberjack
