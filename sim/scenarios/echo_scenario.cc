#include "sim/scenarios/echo_scenario.h"

#include <cstdio>
#include <cstring>

#include "fault/fault_schedule.h"
#include "prod/io/distributions.h"
#include "prod/io/env.h"
#include "prod/io/invariant.h"
#include "sim/sim_node.h"
#include "sim/timeline.h"

namespace lj::sim {

namespace {

constexpr uint16_t kEchoPort = 7000;
constexpr uint32_t kMaxFrameBytes = 64 * 1024;

// Frame: [u32 length of the rest][u64 message id][payload]. Little-endian.
std::string encode_frame(uint64_t id, const std::string& payload) {
  std::string frame(12, '\0');
  const uint32_t length = static_cast<uint32_t>(8 + payload.size());
  std::memcpy(frame.data(), &length, 4);
  std::memcpy(frame.data() + 4, &id, 8);
  return frame + payload;
}

// Reads one frame; a length beyond the limit is an error, never an allocation.
Task<Result<std::string>> read_frame(Connection& connection) {
  uint32_t length = 0;
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(&length, 1)));
      !s.ok()) {
    co_return s.error();
  }
  if (length < 8 || length > kMaxFrameBytes) {
    co_return Error(ErrorCode::kCorrupt, "frame length " + std::to_string(length) +
                                             " outside [8, " + std::to_string(kMaxFrameBytes) +
                                             "]");
  }
  std::string body(length, '\0');
  if (Status s = co_await read_exactly(connection, std::as_writable_bytes(std::span(body)));
      !s.ok()) {
    co_return s.error();
  }
  co_return body;
}

Task<void> serve_connection(std::unique_ptr<Connection> connection) {
  for (;;) {
    Result<std::string> body = co_await read_frame(*connection);
    if (!body.ok()) co_return;
    std::string reply(4, '\0');
    const uint32_t length = static_cast<uint32_t>(body->size());
    std::memcpy(reply.data(), &length, 4);
    reply += *body;
    if (!(co_await write_all(*connection, std::as_bytes(std::span(reply)))).ok()) co_return;
  }
}

Task<void> serve(Env env, std::string address) {
  Result<std::unique_ptr<Listener>> listener = env.network.listen(address);
  LJ_ASSERT(listener.ok());
  for (;;) {
    Result<std::unique_ptr<Connection>> connection = co_await (*listener)->accept();
    if (!connection.ok()) co_return;
    env.executor.spawn(serve_connection(std::move(*connection)));
  }
}

struct ClientState {
  int next_id = 1;  // the message now in flight; survives reconnects, not client crashes
  int echoed = 0;
  int reconnects = 0;
  std::string failure;
  bool done = false;
};

std::string payload_for(Random& random, int id) {
  std::string payload(static_cast<size_t>(uniform_between(random, 1, 3000)), '\0');
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>((id * 31 + i * 7) & 0xff);
  return payload;
}

// Sends messages one at a time and retries each until its echo arrives intact.
Task<void> client(Env env, std::string server, int messages, ClientState& state, Simulation& sim,
                  NodeId self) {
  Duration backoff = 10ms;
  while (state.next_id <= messages && state.failure.empty()) {
    Result<std::unique_ptr<Connection>> connection = co_await env.network.connect(server);
    if (!connection.ok()) {
      sim.trace(self, "connect failed: " + connection.error().to_string());
      co_await env.clock.sleep_for(backoff);
      backoff = std::min<Duration>(backoff * 2, 1s);
      ++state.reconnects;
      continue;
    }
    backoff = 10ms;
    while (state.next_id <= messages) {
      const uint64_t id = static_cast<uint64_t>(state.next_id);
      const std::string payload = payload_for(env.random, state.next_id);
      const std::string frame = encode_frame(id, payload);
      if (Status s = co_await write_all(**connection, std::as_bytes(std::span(frame))); !s.ok()) {
        sim.trace(self, "send failed: " + s.to_string());
        break;
      }
      Result<std::string> reply = co_await read_frame(**connection);
      if (!reply.ok()) {
        sim.trace(self, "reply failed: " + reply.error().to_string());
        break;
      }
      uint64_t reply_id = 0;
      std::memcpy(&reply_id, reply->data(), 8);
      if (reply_id != id || reply->substr(8) != payload) {
        state.failure = "echo of message " + std::to_string(id) + " came back altered";
        co_return;
      }
      ++state.echoed;
      sim.trace(self, "echoed " + std::to_string(id));
      ++state.next_id;
      // Think time spreads the workload across the fault phase, so faults hit it mid-flight.
      co_await env.clock.sleep_for(Duration(uniform_between(env.random, 50'000'000, 350'000'000)));
    }
    if (state.next_id <= messages) ++state.reconnects;
  }
  state.done = true;
}

}  // namespace

EchoOutcome run_echo_scenario(const EchoOptions& options) {
  Simulation simulation(options.seed);
  if (options.trace_to_stdout) {
    print_timeline_to(simulation, stdout);
  }
  ClientState state;
  const std::string address = "server:" + std::to_string(kEchoPort);
  SimNode& server = simulation.add_node(
      "server", [&address](SimNode& node) { node.spawn(serve(node.env(), address)); });
  SimNode& client_node = simulation.add_node("client", [&](SimNode& node) {
    node.spawn(client(node.env(), address, options.messages, state, simulation, node.id()));
  });
  server.start();
  client_node.start();

  EchoOutcome outcome;
  if (options.faults) {
    fault::FaultModel model;
    model.crashable = {server.id()};
    model.partitionable = {server.id(), client_node.id()};
    const std::vector<fault::Fault> schedule =
        fault::draw_schedule(simulation.random(), model, 0, options.fault_phase_ns);
    outcome.faults_injected = static_cast<int>(schedule.size());
    const fault::FaultTargets targets;
    fault::apply_schedule(simulation, schedule, targets);
    simulation.run_until(options.fault_phase_ns);
    fault::heal_everything(simulation, targets);
  }
  const int64_t deadline = simulation.now_ns() + options.liveness_bound_ns;
  const bool finished =
      simulation.run_until([&] { return state.done || !state.failure.empty(); }, deadline);

  outcome.trace_hash = simulation.trace_hash();
  outcome.sim_events = simulation.events_run();
  outcome.echoed = state.echoed;
  outcome.reconnects = state.reconnects;
  outcome.virtual_ns = simulation.now_ns();
  if (!state.failure.empty()) {
    outcome.failure = state.failure;
  } else if (!finished) {
    outcome.failure = "liveness: only " + std::to_string(state.echoed) + " of " +
                      std::to_string(options.messages) + " messages echoed " +
                      std::to_string(options.liveness_bound_ns / 1'000'000'000) + "s after healing";
  }
  outcome.ok = outcome.failure.empty();
  return outcome;
}

}  // namespace lj::sim
