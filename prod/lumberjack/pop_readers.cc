#include "prod/lumberjack/pop_readers.h"

#include "prod/io/invariant.h"

namespace lj::lumberjack {

struct PopReaders::Shared {
  explicit Shared(Executor& executor) : finished(executor) {}
  struct Slot {
    bool running = false;
    std::optional<PopReadResult> result;
  };
  std::map<std::string, Slot> slots;
  uint64_t round = 0;             // reads started before a wait belong to its round
  size_t running_this_round = 0;  // of them, still running
  Notifier finished;              // a read finished, or a wait's bound passed
};

PopReaders::PopReaders(const Env& env, std::shared_ptr<PopReadHub> hub)
    : env_(env), hub_(std::move(hub)), shared_(std::make_shared<Shared>(env.executor)) {
  LJ_ASSERT(hub_ != nullptr);
}

PopReaders::~PopReaders() = default;

bool PopReaders::busy(const std::string& pop) const {
  auto slot = shared_->slots.find(pop);
  return slot != shared_->slots.end() && (slot->second.running || slot->second.result.has_value());
}

void PopReaders::start(const std::string& pop, const std::string& address,
                       const std::string& account, graceland::Position from, uint32_t max_bytes,
                       uint64_t generation) {
  LJ_ASSERT(!busy(pop));
  shared_->slots[pop].running = true;
  ++shared_->running_this_round;
  // The answer lands in the shared state, which outlives this pipeline if it must.
  auto done = [shared = shared_, pop, from, generation,
               round = shared_->round](Result<graceland::ReadBatch> batch) {
    Shared::Slot& slot = shared->slots[pop];
    LJ_ASSERT(slot.running);  // the hub answers each read once
    slot.running = false;
    slot.result = PopReadResult{from, generation, std::move(batch)};
    if (round == shared->round) --shared->running_this_round;
    shared->finished.notify_all();
  };
  hub_->read(pop, address, graceland::ReadRequest{account, from, max_bytes}, std::move(done));
}

Task<void> PopReaders::wait_for_started(Duration bound) {
  std::shared_ptr<Shared> shared = shared_;  // (this pipeline may be told to stop meanwhile)
  const Duration deadline = env_.clock.monotonic_now() + bound;
  if (shared->running_this_round > 0) {
    env_.executor.spawn(
        [](Clock& clock, Duration bound, std::weak_ptr<Shared> target) -> Task<void> {
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
