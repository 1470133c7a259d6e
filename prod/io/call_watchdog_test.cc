// The watchdog against a peer that never answers (the simulated network: a silent server).
#include "prod/io/call_watchdog.h"

#include <gtest/gtest.h>

#include "sim/sim_node.h"

namespace lj {
namespace {

// Accepts connections and echoes one byte per byte read, or (silent) reads and never answers.
Task<void> serve(Network& network, bool silent) {
  auto listener = network.listen("server:7");
  EXPECT_TRUE(listener.ok());
  auto peer = co_await (*listener)->accept();
  if (!peer.ok()) co_return;
  std::byte byte{};
  for (;;) {
    auto n = co_await (*peer)->read_some(std::span(&byte, 1));
    if (!n.ok() || *n == 0) co_return;
    if (!silent) (void)co_await write_all(**peer, std::span<const std::byte>(&byte, 1));
  }
}

struct Calls {
  int answered = 0;
  std::optional<ErrorCode> failure;
  bool fired = false;
  Duration failed_at{0};
};

// Makes `count` one-byte calls, `gap` apart, each bounded by the watchdog.
Task<void> call(Env env, int count, Duration gap, Calls& out) {
  auto connection = co_await env.network.connect("server:7");
  EXPECT_TRUE(connection.ok());
  if (!connection.ok()) co_return;
  CallWatchdog watchdog(env.executor, env.clock, 1s, **connection);
  for (int i = 0; i < count; ++i) {
    std::byte byte{1};
    watchdog.begin_call();
    Status sent = co_await write_all(**connection, std::span<const std::byte>(&byte, 1));
    Status got = sent;
    if (sent.ok()) got = co_await read_exactly(**connection, std::span(&byte, 1));
    watchdog.end_call();
    if (!got.ok()) {
      out.failure = got.code();
      out.fired = watchdog.fired();
      out.failed_at = env.clock.monotonic_now();
      co_return;
    }
    ++out.answered;
    co_await env.clock.sleep_for(gap);
  }
}

class CallWatchdogTest : public ::testing::Test {
 protected:
  CallWatchdogTest() : simulation_(5) {
    server_ = &simulation_.add_node("server", nullptr);
    client_ = &simulation_.add_node("client", nullptr);
    server_->start();
    client_->start();
  }
  sim::Simulation simulation_;
  sim::SimNode* server_;
  sim::SimNode* client_;
};

TEST_F(CallWatchdogTest, ASilentPeerEndsTheCallAtItsDeadline) {
  server_->spawn(serve(server_->env().network, /*silent=*/true));
  Calls calls;
  const Duration started = client_->env().clock.monotonic_now();
  client_->spawn(call(client_->env(), 1, 0s, calls));
  simulation_.run_for(10s);
  ASSERT_TRUE(calls.failure.has_value());
  EXPECT_EQ(*calls.failure, ErrorCode::kCancelled);
  EXPECT_TRUE(calls.fired);
  const Duration took = calls.failed_at - started;
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 1100ms);
}

TEST_F(CallWatchdogTest, CallsThatAnswerInTimeAreNeverCut) {
  // Thirty calls, 300 ms apart: the connection outlives many timeouts, idle or busy.
  server_->spawn(serve(server_->env().network, /*silent=*/false));
  Calls calls;
  client_->spawn(call(client_->env(), 30, 300ms, calls));
  simulation_.run_for(20s);
  EXPECT_FALSE(calls.failure.has_value());
  EXPECT_EQ(calls.answered, 30);
}

TEST_F(CallWatchdogTest, APeerThatStopsAnsweringMidwayIsCutByTheNextCallsDeadline) {
  server_->spawn(serve(server_->env().network, /*silent=*/false));
  Calls calls;
  client_->spawn(call(client_->env(), 100, 200ms, calls));
  simulation_.run_for(2s);
  const int before = calls.answered;
  EXPECT_GT(before, 0);
  server_->pause_until(simulation_.now_ns() +
                       Duration(60s).count());  // SIGSTOP: silent, connection open
  simulation_.run_for(5s);
  ASSERT_TRUE(calls.failure.has_value());
  EXPECT_TRUE(calls.fired);
  EXPECT_LE(calls.answered, before + 1);
}

}  // namespace
}  // namespace lj
