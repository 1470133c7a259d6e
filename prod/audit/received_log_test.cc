// The received log: lines round-trip, damage is named, a torn last line is ignored; the
// recording sink writes only what its inner sink accepted, stamped with the clock; the summary
// tells a re-delivered file from a duplicated event, counts lost and phantom events against the
// ledger, and computes nearest-rank latency percentiles.
#include "prod/audit/received_log.h"

#include <gtest/gtest.h>

#include <optional>

#include "prod/delivery/log_sinks.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "sim/sim_node.h"

namespace lj::audit {
namespace {

using delivery::LogSink;
using Ledger = std::map<EventId, proxy::MemoryLedger::Entry>;

ReceivedEvent received(uint64_t file_seq, uint64_t index, uint64_t sequence, int64_t start_ms,
                       int64_t received_ms, uint64_t account = 1001) {
  return ReceivedEvent{account, file_seq, index, EventId{7, sequence}, start_ms, received_ms};
}

Ledger acknowledged(uint64_t first, uint64_t last, uint64_t account = 1001) {
  Ledger ledger;
  for (uint64_t s = first; s <= last; ++s)
    ledger[EventId{7, s}] = {account, proxy::EventFate::kAcknowledged};
  return ledger;
}

TEST(ReceivedLog, RoundTripsAndNamesTheFirstBadLine) {
  const ReceivedEvent a = received(3, 0, 41, 1'764'000'000'000, 1'764'000'000'250);
  const ReceivedEvent b = received(3, 1, 42, 1'764'000'000'001, 1'764'000'000'250, 1002);
  EXPECT_EQ(format_received(a), "1001 3 0 7-41 1764000000000 1764000000250\n");
  std::vector<ReceivedEvent> parsed;
  ASSERT_TRUE(parse_received_log(format_received(a) + format_received(b), parsed).ok());
  EXPECT_EQ(parsed, (std::vector<ReceivedEvent>{a, b}));

  parsed.clear();  // a writer killed mid-line leaves a torn last line: not an error
  ASSERT_TRUE(parse_received_log(format_received(a) + "1001 3 1 7-", parsed).ok());
  EXPECT_EQ(parsed, std::vector<ReceivedEvent>{a});

  for (const std::string bad : {"1001 3 0 741 1 2\n", "1001 3 0 7-41 1\n", "1001 3 x 7-41 1 2\n",
                                "1001 3 0 7-41 1 2 3\n", "\n"}) {
    parsed.clear();
    Status s = parse_received_log(format_received(a) + bad, parsed);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code(), ErrorCode::kCorrupt);
    EXPECT_NE(s.error().message().find("line 2"), std::string::npos) << s.to_string();
  }
}

TEST(ReceivedSummary, AllDeliveredOnceWithLatencyPercentiles) {
  // 100 events, latencies 1..100 ms: nearest rank p50 = 50, p99 = 99, max = 100.
  std::vector<ReceivedEvent> log;
  for (uint64_t s = 1; s <= 100; ++s)
    log.push_back(received(s / 10 + 1, s % 10, s, 1000 + s, 1000 + 2 * s));
  const ReceivedSummary summary = summarize_received(acknowledged(1, 100), log);
  EXPECT_TRUE(summary.verdict.ok()) << summary.summary();
  EXPECT_EQ(summary.verdict.delivered, 100u);
  EXPECT_EQ(summary.events, 100u);
  EXPECT_EQ(summary.files, 11u);
  EXPECT_EQ(summary.latency_p50_ms, 50);
  EXPECT_EQ(summary.latency_p99_ms, 99);
  EXPECT_EQ(summary.latency_max_ms, 100);
  EXPECT_EQ(summary.first_start_ms, 1001);
  EXPECT_EQ(summary.last_received_ms, 1200);
  EXPECT_NE(summary.summary().find("lost=0 dup=0 phantom=0"), std::string::npos)
      << summary.summary();
  EXPECT_NE(summary.summary().find("latency_ms p50=50 p99=99 max=100"), std::string::npos);
}

TEST(ReceivedSummary, AReDeliveredFileIsNoDuplicateButAnEventInTwoPlacesIs) {
  // File 1 handed over twice (a crash before the state was saved): same positions, later times.
  std::vector<ReceivedEvent> log = {received(1, 0, 1, 0, 10), received(1, 1, 2, 0, 10),
                                    received(1, 0, 1, 0, 90), received(1, 1, 2, 0, 90)};
  ReceivedSummary summary = summarize_received(acknowledged(1, 2), log);
  EXPECT_TRUE(summary.verdict.ok()) << summary.summary();
  EXPECT_EQ(summary.events, 2u);
  EXPECT_EQ(summary.latency_max_ms, 10);  // the first receipt counts

  log.push_back(received(2, 0, 2, 0, 100));  // event 2 again, in file 2
  summary = summarize_received(acknowledged(1, 2), log);
  EXPECT_EQ(summary.verdict.duplicated, 1u);
  EXPECT_FALSE(summary.verdict.ok());
  EXPECT_EQ(summary.latency_max_ms, 10);  // its first receipt still

  log = {received(1, 0, 1, 0, 10), received(1, 1, 1, 0, 10)};  // twice in one file
  EXPECT_EQ(summarize_received(acknowledged(1, 1), log).verdict.duplicated, 1u);

  log = {received(1, 0, 1, 0, 10), received(1, 0, 1, 0, 10, 1002)};  // in two customers' files
  EXPECT_EQ(summarize_received(acknowledged(1, 1), log).verdict.duplicated, 1u);
}

TEST(ReceivedSummary, CountsLostAndPhantomEvents) {
  Ledger ledger = acknowledged(1, 3);
  ledger[EventId{7, 4}] = {1001, proxy::EventFate::kDropped};
  ledger[EventId{7, 5}] = {1001, proxy::EventFate::kIndeterminate};
  // 2 never arrives (lost); 4 was never sent (phantom); 9 is in no ledger (phantom); 5 may.
  const std::vector<ReceivedEvent> log = {received(1, 0, 1, 0, 5), received(1, 1, 3, 0, 5),
                                          received(1, 2, 4, 0, 5), received(1, 3, 5, 0, 5),
                                          received(2, 0, 9, 0, 5)};
  const ReceivedSummary summary = summarize_received(ledger, log);
  EXPECT_EQ(summary.verdict.acknowledged, 3u);
  EXPECT_EQ(summary.verdict.lost, 1u);
  EXPECT_EQ(summary.verdict.phantom, 2u);
  EXPECT_EQ(summary.verdict.duplicated, 0u);
  EXPECT_EQ(summary.verdict.delivered, 5u);
  EXPECT_NE(summary.verdict.first_problem.find("7/2"), std::string::npos) << summary.summary();

  const ReceivedSummary nothing = summarize_received(ledger, {});
  EXPECT_EQ(nothing.verdict.lost, 3u);
  EXPECT_EQ(nothing.latency_max_ms, 0);
}

// Accepts or refuses files; counts what it accepted.
class ScriptedSink final : public LogSink {
 public:
  Task<Status> deliver(uint64_t, const DecodedLogFile&) override {
    if (refuse) co_return Error(ErrorCode::kIoError, "test: sink refused");
    ++accepted;
    co_return Status();
  }
  bool refuse = false;
  int accepted = 0;
};

TEST(RecordingSink, RecordsWhatTheInnerSinkAcceptedWithTheTimeItDid) {
  sim::Simulation simulation(5);
  sim::SimNode& node = simulation.add_node("customer", nullptr);
  node.start();
  SplitMix64 random(9);
  DecodedLogFile file;
  file.header.account_id = 1001;
  for (uint64_t s = 1; s <= 3; ++s)
    file.events.push_back(make_sample_event(random, 1001, EventId{7, s}, 1'767'225'600'000 + s));

  ScriptedSink inner;
  Env env = node.env();
  RecordingSink recording(inner, env.clock, env.files, "received.log");
  std::vector<Status> results;
  std::vector<int64_t> times_ms;
  node.spawn([](RecordingSink& sink, Clock& clock, ScriptedSink& inner, const DecodedLogFile& file,
                std::vector<Status>& results, std::vector<int64_t>& times_ms) -> Task<void> {
    const Duration two_s = std::chrono::seconds(2), three_s = std::chrono::seconds(3);
    const uint64_t seq4 = 4, seq5 = 5;
    co_await clock.sleep_for(two_s);
    times_ms.push_back(clock.wall_now_ms());
    Status first = co_await sink.deliver(seq4, file);
    results.push_back(first);
    inner.refuse = true;
    Status refused = co_await sink.deliver(seq5, file);
    results.push_back(refused);
    inner.refuse = false;
    co_await clock.sleep_for(three_s);
    times_ms.push_back(clock.wall_now_ms());
    Status second = co_await sink.deliver(seq5, file);
    results.push_back(second);
  }(recording, env.clock, inner, file, results, times_ms));
  ASSERT_TRUE(simulation.run_until([&] { return results.size() == 3; },
                                   simulation.now_ns() + 60'000'000'000));
  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[1].ok());  // the inner sink's refusal is passed on, nothing recorded
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(inner.accepted, 2);

  std::vector<ReceivedEvent> parsed;
  ASSERT_TRUE(parse_received_log(read_file(env.files, "received.log").value(), parsed).ok());
  ASSERT_EQ(parsed.size(), 6u);
  for (size_t i = 0; i < parsed.size(); ++i) {
    const bool first_file = i < 3;
    EXPECT_EQ(parsed[i].file_seq, first_file ? 4u : 5u);
    EXPECT_EQ(parsed[i].index, i % 3);
    EXPECT_EQ(parsed[i].id, file.events[i % 3].id);
    EXPECT_EQ(parsed[i].start_ms, file.events[i % 3].start_ms);
    EXPECT_EQ(parsed[i].received_ms, times_ms[first_file ? 0 : 1]);
  }
  EXPECT_GE(times_ms[1] - times_ms[0], 3000);
}

// Killed mid-append, a previous run left half a line; the next run's lines must not fuse with
// it into one line the parser refuses (which would make the whole report unreadable).
TEST(RecordingSink, CutsATornLastLineBeforeAppending) {
  sim::Simulation simulation(6);
  sim::SimNode& node = simulation.add_node("customer", nullptr);
  node.start();
  Env env = node.env();
  SplitMix64 random(3);
  DecodedLogFile file;
  file.header.account_id = 1001;
  file.events.push_back(make_sample_event(random, 1001, EventId{7, 9}, 1'767'225'600'000));
  const std::string earlier =
      format_received(ReceivedEvent{1001, 1, 0, EventId{7, 8}, 5, 6}) + "1001 2 0 7-";
  ScriptedSink inner;
  RecordingSink recording(inner, env.clock, env.files, "received.log");
  bool done = false;
  node.spawn([](FileSystem& files, RecordingSink& sink, const DecodedLogFile& file,
                const std::string& earlier, bool& done) -> Task<void> {
    const auto bytes = std::as_bytes(std::span(earlier));
    const Status written = co_await write_file_atomically(files, "received.log", bytes);
    EXPECT_TRUE(written.ok());
    const uint64_t seq = 2;
    const Status delivered = co_await sink.deliver(seq, file);
    EXPECT_TRUE(delivered.ok());
    done = true;
  }(env.files, recording, file, earlier, done));
  ASSERT_TRUE(simulation.run_until([&] { return done; }, simulation.now_ns() + 60'000'000'000));
  std::vector<ReceivedEvent> parsed;
  const Status status = parse_received_log(read_file(env.files, "received.log").value(), parsed);
  ASSERT_TRUE(status.ok()) << status.to_string();
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].id, (EventId{7, 8}));
  EXPECT_EQ(parsed[1].id, (EventId{7, 9}));
}

// The report is not state: a log that cannot be written is said, and the file still counts as
// delivered - a failure here would make the fetcher hand it to the customer's sink again.
TEST(RecordingSink, AnUnwritableLogNeverFailsADelivery) {
  sim::Simulation simulation(7);
  sim::SimNode& node = simulation.add_node("customer", nullptr);
  node.start();
  Env env = node.env();
  SplitMix64 random(4);
  DecodedLogFile file;
  file.header.account_id = 1001;
  file.events.push_back(make_sample_event(random, 1001, EventId{7, 1}, 1'767'225'600'000));
  ScriptedSink inner;
  std::vector<std::string> warnings;
  RecordingSink recording(inner, env.clock, env.files, "no-such-dir/received.log",
                          [&warnings](const std::string& line) { warnings.push_back(line); });
  std::vector<Status> results;
  node.spawn([](RecordingSink& sink, const DecodedLogFile& file,
                std::vector<Status>& results) -> Task<void> {
    const uint64_t seq = 1;
    Status delivered = co_await sink.deliver(seq, file);
    results.push_back(delivered);
  }(recording, file, results));
  ASSERT_TRUE(simulation.run_until([&] { return results.size() == 1; },
                                   simulation.now_ns() + 60'000'000'000));
  EXPECT_TRUE(results[0].ok()) << results[0].to_string();
  EXPECT_EQ(inner.accepted, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("delivered but not recorded"), std::string::npos) << warnings[0];
}

TEST(ReceivedLog, RefusesNegativeTimes) {
  std::vector<ReceivedEvent> parsed;
  EXPECT_FALSE(parse_received_log("1001 1 0 7-1 -5 10\n", parsed).ok());
  EXPECT_FALSE(parse_received_log("1001 1 0 7-1 5 -9223372036854775808\n", parsed).ok());
}

}  // namespace
}  // namespace lj::audit
