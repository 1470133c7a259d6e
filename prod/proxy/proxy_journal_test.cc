// The proxy's durable queue on the simulated disk: what was synced survives a power loss, the
// acknowledged prefix does not come back, ids continue after every id used (dropped ones
// included), a torn tail is cut off, and a failed fsync is answered by a rewrite.
#include "prod/proxy/proxy_journal.h"

#include <gtest/gtest.h>

#include <optional>

#include "sim/sim_node.h"

namespace lj::proxy {
namespace {

class ProxyJournalTest : public ::testing::Test {
 protected:
  ProxyJournalTest() : node_(simulation_.add_node("proxy", nullptr)) { node_.start(); }

  template <typename T>
  T run(Task<T> task) {
    std::optional<T> out;
    node_.spawn([](Task<T> t, std::optional<T>& o) -> Task<void> {
      o.emplace(co_await std::move(t));
    }(std::move(task), out));
    EXPECT_TRUE(simulation_.run_until([&] { return out.has_value(); },
                                      simulation_.now_ns() + 60'000'000'000));
    return std::move(*out);
  }

  // Opens the journal as a restarted proxy with two customer slots would.
  std::unique_ptr<ProxyJournal> open(JournalState& state) {
    state = JournalState{{}, {1, 1}, 0};
    auto journal = run(ProxyJournal::open(node_.env(), "proxy.journal", state));
    EXPECT_TRUE(journal.ok()) << journal.error().to_string();
    return journal.ok() ? std::move(*journal) : nullptr;
  }

  void power_loss() {
    node_.crash();
    node_.start();
  }

  static QueuedEvent event(uint64_t slot, uint64_t sequence) {
    return QueuedEvent{EventId{7 * kStreamsPerProxy + slot, sequence}, 1001 + slot,
                       "record " + std::to_string(slot) + "/" + std::to_string(sequence)};
  }

  static std::vector<uint64_t> sequences(const JournalState& state) {
    std::vector<uint64_t> out;
    for (const QueuedEvent& e : state.unacknowledged) out.push_back(e.id.sequence);
    return out;
  }

  sim::Simulation simulation_{11};
  sim::SimNode& node_;
};

TEST_F(ProxyJournalTest, SyncedEventsSurvivePowerLossAndAcknowledgedOnesDoNotComeBack) {
  JournalState state;
  auto journal = open(state);
  for (uint64_t s = 1; s <= 5; ++s) journal->queued(event(0, s));
  journal->dropped(event(1, 1).id);
  ASSERT_TRUE(run(journal->sync()).ok());
  journal->acknowledged(2);
  ASSERT_TRUE(run(journal->sync()).ok());
  journal->queued(event(0, 6));  // never synced: may be gone
  journal.reset();
  power_loss();

  journal = open(state);
  const std::vector<uint64_t> kept = sequences(state);
  ASSERT_GE(kept.size(), 3u);
  EXPECT_EQ(std::vector<uint64_t>(kept.begin(), kept.begin() + 3),
            (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_GE(state.next_sequence[0], 6u) << "a new event would reuse an id";
  EXPECT_EQ(state.next_sequence[1], 2u) << "a dropped event's id was given out again";
  EXPECT_GE(state.ids_used, 6u);
}

TEST_F(ProxyJournalTest, StateSurvivesRewritesAndRestarts) {
  JournalState state;
  auto journal = open(state);
  for (uint64_t s = 1; s <= 4; ++s) journal->queued(event(1, s));
  ASSERT_TRUE(run(journal->sync()).ok());
  journal->acknowledged(3);
  ASSERT_TRUE(run(journal->sync()).ok());
  for (int restart = 0; restart < 3; ++restart) {
    journal.reset();
    power_loss();
    journal = open(state);  // each open rewrites the live state alone
    EXPECT_EQ(sequences(state), (std::vector<uint64_t>{4})) << "restart " << restart;
    EXPECT_EQ(state.next_sequence[1], 5u);
    EXPECT_EQ(state.ids_used, 4u);
  }
}

TEST_F(ProxyJournalTest, ATornOrZeroedTailIsCutOff) {
  JournalState state;
  auto journal = open(state);
  journal->queued(event(0, 1));
  ASSERT_TRUE(run(journal->sync()).ok());
  journal.reset();
  // Power loss over an unsynced tail that reads as zeros or garbage.
  for (const char fill : {'\0', '\x5a'}) {
    Result<std::unique_ptr<File>> file =
        node_.env().files.open("proxy.journal", OpenMode::kExisting);
    ASSERT_TRUE(file.ok());
    const std::string tail(40, fill);
    ASSERT_TRUE((*file)->append(std::as_bytes(std::span(tail))).ok());
    ASSERT_TRUE(run((*file)->sync()).ok());
    journal = open(state);
    EXPECT_EQ(sequences(state), (std::vector<uint64_t>{1}));
    journal.reset();
  }
}

TEST_F(ProxyJournalTest, AFailedSyncIsNeverTrustedAgain) {
  JournalState state;
  auto journal = open(state);
  journal->queued(event(0, 1));
  node_.disk().faults().sync_error_probability = 1;
  EXPECT_FALSE(run(journal->sync()).ok());
  node_.disk().faults().sync_error_probability = 0;
  EXPECT_TRUE(journal->has_unsynced());
  EXPECT_FALSE(run(journal->sync()).ok()) << "a sync after a failed one must not vouch for it";
  state.unacknowledged = {event(0, 1)};
  state.next_sequence = {2, 1};
  state.ids_used = 1;
  ASSERT_TRUE(run(journal->rewrite(state)).ok());
  journal.reset();
  power_loss();
  journal = open(state);
  EXPECT_EQ(sequences(state), (std::vector<uint64_t>{1}));
}

}  // namespace
}  // namespace lj::proxy
