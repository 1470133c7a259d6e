// The delivered set's bounds against a model, for any sequence of ids a sender may choose
// (RapidCheck, small limits so that every bound is reached): bound() keeps every limit,
// never drops an id of the file being committed, only ever adds ids to a stream it keeps (a
// closed hole) and removes only whole streams it reports, and what it leaves encodes within
// max_encoded_delivered_bytes and decodes back to itself.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <vector>

#include "prod/lumberjack/delivered_set.h"

namespace lj::lumberjack {
namespace {

constexpr DeliveredLimits kSmall{.max_intervals_per_stream = 3,
                                 .max_intervals = 12,
                                 .max_streams = 5,
                                 .stream_horizon_s = 100,
                                 .stream_horizon_files = 3};

// Ids a sender might pick: a few streams, sequence numbers near the ends of the range too.
rc::Gen<EventId> hostile_id() {
  return rc::gen::build<EventId>(
      rc::gen::set(&EventId::proxy_id, rc::gen::inRange<uint64_t>(0, 9)),
      rc::gen::set(&EventId::sequence,
                   rc::gen::oneOf(rc::gen::inRange<uint64_t>(0, 60),
                                  rc::gen::map(rc::gen::inRange<uint64_t>(0, 5),
                                               [](uint64_t d) { return UINT64_MAX - d; }))));
}

// One commit: the ids read into a file, then a bound at some later time.
struct Commit {
  std::vector<EventId> ids;
  int64_t seconds_later = 0;
};

RC_GTEST_PROP(DeliveredSetProps, BoundsHoldAndOnlyWhatIsReportedIsGivenUp, ()) {
  const auto commits = *rc::gen::container<std::vector<Commit>>(rc::gen::build<Commit>(
      rc::gen::set(&Commit::ids, rc::gen::container<std::vector<EventId>>(hostile_id())),
      rc::gen::set(&Commit::seconds_later, rc::gen::inRange<int64_t>(0, 150))));
  DeliveredSet set;
  int64_t now = 1'000'000;
  uint64_t file_seq = 0;
  for (const Commit& commit : commits) {
    DeliveredSet file;
    std::vector<EventId> file_ids;
    for (const EventId& id : commit.ids) {
      if (set.insert(id)) {
        file.insert(id);
        file_ids.push_back(id);
      }
    }
    if (file.stream_count() > kSmall.max_streams) continue;  // the pipeline rolls before that
    const DeliveredSet before = set;
    now += commit.seconds_later;
    const BoundReport report = set.bound(kSmall, {now, ++file_seq}, file);
    RC_ASSERT(set.stream_count() <= kSmall.max_streams);
    RC_ASSERT(set.interval_count() <= kSmall.max_intervals);
    for (const EventId& id : file_ids) RC_ASSERT(set.contains(id));
    uint64_t forgotten = 0, grown_by = 0;
    std::set<uint64_t> file_streams;
    for (const EventId& id : file_ids) file_streams.insert(id.proxy_id);
    for (uint64_t stream = 0; stream <= 9; ++stream) {
      bool lost_some = false;
      for (uint64_t seq = 0; seq <= 60; ++seq) {
        const bool had = before.contains({stream, seq}), has = set.contains({stream, seq});
        if (had && !has) lost_some = true;
        if (!had && has) ++grown_by;
      }
      if (lost_some) {
        ++forgotten;
        RC_ASSERT(file_streams.count(stream) == 0);  // never the file's streams
      }
    }
    RC_ASSERT(forgotten <= report.streams_aged_out + report.streams_evicted);
    if (report.holes_closed == 0) RC_ASSERT(grown_by == 0u);
    const std::string text = set.encode();
    RC_ASSERT(text.size() <= max_encoded_delivered_bytes(kSmall));
    Result<DeliveredSet> decoded = DeliveredSet::decode(text);
    RC_ASSERT(decoded.ok());
    RC_ASSERT(*decoded == set);
  }
}

// An honest cluster never reaches the bounds: a stream's ids arrive in order from one PoP and
// in stretches from another that was away, so a few holes at most.
RC_GTEST_PROP(DeliveredSetProps, HonestStreamsNeverReachTheBounds, ()) {
  const int streams = *rc::gen::inRange(1, 200);
  DeliveredSet set;
  uint64_t total = 0;
  for (int stream = 0; stream < streams; ++stream) {
    const uint64_t events = *rc::gen::inRange<uint64_t>(1, 400);
    const uint64_t away_from = *rc::gen::inRange<uint64_t>(1, events + 1);
    const uint64_t away_for = *rc::gen::inRange<uint64_t>(0, 50);
    for (uint64_t seq = 1; seq <= events; ++seq) {
      if (seq < away_from || seq >= away_from + away_for)
        total += set.insert({uint64_t(stream), seq});
    }
  }
  const BoundReport report = set.bound(DeliveredLimits{}, {1'000'000, 1}, DeliveredSet());
  RC_ASSERT(report.empty());
  RC_ASSERT(set.size() == total);
}

}  // namespace
}  // namespace lj::lumberjack
