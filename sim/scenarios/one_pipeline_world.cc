#include "sim/scenarios/one_pipeline_world.h"

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/distributions.h"

namespace lj::sim {

namespace {

// The worker's process: assigns the customer to itself (once) and runs its pipeline.
Task<void> run_worker(SimNode& self, Coordinator& coordinator, ObjectStore& store,
                      const lumberjack::ZkLayout& layout,
                      const std::map<std::string, std::string>& directory,
                      lumberjack::CustomerConfig config, lumberjack::PipelineObserver& observer,
                      const lumberjack::CustomerPipeline*& running,
                      std::shared_ptr<const Duration> min_roll_age) {
  const Duration timeout = std::chrono::seconds(10);
  auto session = co_await coordinator.connect(timeout, timeout);
  if (!session.ok()) co_return;
  const std::string worker_id = "lj-1-test";
  // (Named before each co_await: GCC 12 miscompiles temporaries inside one.)
  const std::string assignment = layout.assignment(std::to_string(config.account_id));
  const std::string assignments = layout.assignments();
  const std::string checkpoints = layout.checkpoints();
  const std::string customers = layout.customers();
  const std::string customer = layout.customer(std::to_string(config.account_id));
  const std::string encoded = config.encode();
  if (!(co_await create_path(**session, assignments)).ok()) co_return;
  if (!(co_await create_path(**session, checkpoints)).ok()) co_return;
  if (!(co_await create_path(**session, customers)).ok()) co_return;
  auto added = co_await (*session)->create(customer, encoded, NodeMode::kPersistent);
  if (!added.ok() && added.code() != ErrorCode::kAlreadyExists) co_return;
  auto created = co_await (*session)->create(assignment, worker_id, NodeMode::kPersistent);
  if (!created.ok() && created.code() != ErrorCode::kAlreadyExists) co_return;
  lumberjack::PipelineOptions options;
  options.pop_retry_after = std::chrono::milliseconds(100);
  options.retry_backoff = std::chrono::milliseconds(100);
  auto log = [&self](LogLevel, std::string_view line) { self.simulation().trace(self.id(), line); };
  lumberjack::PipelineContext context{self.env(),
                                      **session,
                                      store,
                                      layout,
                                      worker_id,
                                      directory,
                                      options,
                                      &observer,
                                      log,
                                      nullptr,
                                      std::chrono::minutes(10),
                                      nullptr,
                                      std::move(min_roll_age),
                                      nullptr,
                                      {},
                                      nullptr};
  lumberjack::CustomerPipeline pipeline(context, config, 0, 0);
  // `running` names the pipeline exactly while it lives: a crash destroys this frame, and the
  // guard with it.
  struct Running {
    const lumberjack::CustomerPipeline*& slot;
    ~Running() { slot = nullptr; }
  } guard{running};
  running = &pipeline;
  co_await pipeline.run();
}

}  // namespace

OnePipelineWorld::OnePipelineWorld(uint64_t seed, int pop_count,
                                   lumberjack::PipelineObserver& observer,
                                   lumberjack::RollPolicy roll)
    : simulation(seed), zookeeper(simulation), storage(simulation) {
  pops = add_graceland_pops(simulation, pop_count);
  for (size_t p = 0; p < pops.names.size(); ++p) directory_[pops.names[p]] = pops.addresses[p];
  config.account_id = kAccount;
  config.roll = roll;
  worker = &simulation.add_node("lj-1", [this, &observer](SimNode& n) {
    n.spawn(run_worker(n, zookeeper.client(n), storage.client(n), layout, directory_, config,
                       observer, pipeline_, min_roll_age));
  });
  worker->set_identity(PeerIdentity{"lumberjack", "lj-1"});
  proxy_ = &simulation.add_node("proxy", nullptr);
  proxy_->set_identity(PeerIdentity{"proxy", std::to_string(kProxy / kStreamsPerProxy)});
  for (NodeId id : pops.nodes) simulation.node(id).start();
  worker->start();
  proxy_->start();
}

OnePipelineWorld::~OnePipelineWorld() = default;

std::vector<std::string> OnePipelineWorld::records(uint64_t first_sequence, uint64_t count) {
  std::vector<uint64_t> sequences;
  for (uint64_t s = first_sequence; s < first_sequence + count; ++s) sequences.push_back(s);
  return records_of(sequences);
}

std::vector<std::string> OnePipelineWorld::records_of(const std::vector<uint64_t>& sequences) {
  std::vector<std::string> out;
  for (uint64_t s : sequences) {
    SplitMix64 random(s);
    std::string record;
    if (encode_event_record(make_sample_event(random, kAccount, EventId{kProxy, s}, 1767225600000),
                            record)
            .ok()) {
      out.push_back(std::move(record));
    }
  }
  return out;
}

bool OnePipelineWorld::send(size_t pop, uint64_t batch_id, std::vector<std::string> batch) {
  bool acked = false;
  proxy_->spawn([](Env env, std::string address, uint64_t id, std::vector<std::string> batch,
                   bool& acked) -> Task<void> {
    const Duration backoff = std::chrono::milliseconds(100);
    while (!acked) {  // until the PoP is up
      auto client = co_await graceland::GracelandClient::connect(env, address, "proxy");
      if (client.ok()) acked = (co_await (*client)->send_batch(id, batch)).ok();
      if (!acked) co_await env.clock.sleep_for(backoff);
    }
  }(proxy_->env(), pops.addresses[pop], batch_id, std::move(batch), acked));
  simulation.run_until([&] { return acked; }, simulation.now_ns() + 10'000'000'000);
  return acked;
}

bool OnePipelineWorld::finish_store_call(const std::shared_ptr<std::optional<Status>>& result) {
  simulation.run_until([&] { return result->has_value(); }, simulation.now_ns() + 10'000'000'000);
  return result->has_value() && (*result)->ok();
}

bool OnePipelineWorld::remove_object(const std::string& name) {
  auto result =
      std::make_shared<std::optional<Status>>();  // shared: the call may outlive a timeout
  proxy_->spawn([](ObjectStore& store, std::string name,
                   std::shared_ptr<std::optional<Status>> out) -> Task<void> {
    out->emplace(co_await store.remove(name));
  }(storage.client(*proxy_), name, result));
  return finish_store_call(result);
}

bool OnePipelineWorld::put_object(const std::string& name, const std::string& contents) {
  auto result = std::make_shared<std::optional<Status>>();
  proxy_->spawn([](ObjectStore& store, std::string name, std::string contents,
                   std::shared_ptr<std::optional<Status>> out) -> Task<void> {
    out->emplace(co_await store.put(name, std::move(contents)));
  }(storage.client(*proxy_), name, contents, result));
  return finish_store_call(result);
}

std::optional<lumberjack::Checkpoint> OnePipelineWorld::checkpoint() const {
  const std::optional<NodeData> node = zookeeper.peek(layout.checkpoint(std::to_string(kAccount)));
  if (!node) return std::nullopt;
  Result<lumberjack::Checkpoint> decoded = lumberjack::Checkpoint::decode(node->data);
  return decoded.ok() ? std::optional<lumberjack::Checkpoint>(*decoded) : std::nullopt;
}

bool OnePipelineWorld::delivered_through(uint64_t last_sequence) {
  return simulation.run_until(
      [&] {
        const std::optional<lumberjack::Checkpoint> now = checkpoint();
        if (!now) return false;
        for (uint64_t s = 1; s <= last_sequence; ++s) {
          if (!now->delivered.contains(EventId{kProxy, s})) return false;
        }
        return true;
      },
      simulation.now_ns() + 30'000'000'000);
}

void OnePipelineWorld::finish() {
  simulation.clear_sinks();
  for (size_t n = 0; n < simulation.node_count(); ++n)
    simulation.node(static_cast<NodeId>(n)).halt();
}

}  // namespace lj::sim
