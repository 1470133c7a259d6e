// What Lumberjack keeps in ZooKeeper, and what `lj fetch` reads: see fuzz_entry_points.h.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_entry_points.h"
#include "prod/delivery/fetch_state.h"
#include "prod/logfile/log_file_format.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/delivered_set.h"
#include "prod/lumberjack/published_layout.h"

namespace lj {
namespace {

// decode(text) ok => decode(encode(decoded)) == decoded, and encoding is then stable.
template <typename T>
void check_round_trip(std::string_view text) {
  Result<T> decoded = T::decode(text);
  if (!decoded.ok()) {
    FUZZ_CHECK(!decoded.error().message().empty());
    return;
  }
  const std::string encoded = decoded->encode();
  Result<T> again = T::decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *decoded);
  FUZZ_CHECK(again->encode() == encoded);
}

uint64_t load_u64(const uint8_t* data) {
  uint64_t value = 0;
  std::memcpy(&value, data, 8);
  return value;
}

}  // namespace

void fuzz_customer_config(const uint8_t* data, size_t size) {
  check_round_trip<lumberjack::CustomerConfig>(fuzz_text(data, size));
}

void fuzz_checkpoint(const uint8_t* data, size_t size) {
  check_round_trip<lumberjack::Checkpoint>(fuzz_text(data, size));
}

void fuzz_delivered_set(const uint8_t* data, size_t size) {
  // The first 16 bytes, if there are that many, name an id to insert into the decoded set.
  const bool has_id = size >= 16;
  const std::string_view text = has_id ? fuzz_text(data + 16, size - 16) : fuzz_text(data, size);
  check_round_trip<lumberjack::DeliveredSet>(text);
  if (!has_id) return;
  Result<lumberjack::DeliveredSet> set = lumberjack::DeliveredSet::decode(text);
  if (!set.ok()) return;
  // Small numbers too, so that inserts land next to and inside decoded intervals.
  const EventId id{load_u64(data) % 8, load_u64(data + 8) % 4096};
  const bool had = set->contains(id);
  const uint64_t count = set->size();
  FUZZ_CHECK(set->insert(id) == !had);
  FUZZ_CHECK(set->contains(id));
  FUZZ_CHECK(set->size() == count + (had ? 0 : 1));
  // The set after the insert keeps the invariant decoding checks.
  Result<lumberjack::DeliveredSet> again = lumberjack::DeliveredSet::decode(set->encode());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *set);
  // Bounded with small limits (so that decoded sets reach them), it keeps them, never drops the
  // id just inserted (the file being committed), and still round-trips.
  const lumberjack::DeliveredLimits limits{.max_intervals_per_stream = 2u + data[0] % 4u,
                                           .max_intervals = 16,
                                           .max_streams = 4,
                                           .stream_horizon_s = 100,
                                           .stream_horizon_files = 100};
  lumberjack::DeliveredSet file;
  file.insert(id);
  (void)set->bound(limits, {1'000'000 + data[1], 1000u + data[1]}, file);
  FUZZ_CHECK(set->contains(id));
  FUZZ_CHECK(set->stream_count() <= limits.max_streams &&
             set->interval_count() <= limits.max_intervals);
  FUZZ_CHECK(set->encode().size() <= lumberjack::max_encoded_delivered_bytes(limits));
  Result<lumberjack::DeliveredSet> bounded = lumberjack::DeliveredSet::decode(set->encode());
  FUZZ_CHECK(bounded.ok());
  FUZZ_CHECK(*bounded == *set);
}

void fuzz_fetch_state(const uint8_t* data, size_t size) {
  check_round_trip<delivery::FetchState>(fuzz_text(data, size));
  Result<delivery::FetchState> state = delivery::FetchState::decode(fuzz_text(data, size));
  if (state.ok()) FUZZ_CHECK(lumberjack::parse_folder_name(state->folder).has_value());
}

void fuzz_logs_index(const uint8_t* data, size_t size) {
  if (size == 0) return;
  static constexpr uint64_t kAccounts[] = {1001, 1, 42, UINT64_MAX};
  const uint64_t account = kAccounts[data[0] % 4];
  Result<std::vector<uint64_t>> seqs =
      lumberjack::parse_logs_index(fuzz_text(data + 1, size - 1), account);
  if (!seqs.ok()) {
    FUZZ_CHECK(seqs.code() == ErrorCode::kCorrupt && !seqs.error().message().empty());
    return;
  }
  for (size_t i = 0; i < seqs->size(); ++i) {
    FUZZ_CHECK(i == 0 || (*seqs)[i - 1] < (*seqs)[i]);
    FUZZ_CHECK((*seqs)[i] >= 1);
  }
  const std::string index = lumberjack::index_contents(account, *seqs);
  Result<std::vector<uint64_t>> again = lumberjack::parse_logs_index(index, account);
  FUZZ_CHECK(again.ok() && *again == *seqs);
  const std::optional<uint64_t> missing = lumberjack::first_missing(*seqs);
  if (missing) {
    FUZZ_CHECK(*missing > seqs->front() && *missing < seqs->back());
    FUZZ_CHECK(!std::binary_search(seqs->begin(), seqs->end(), *missing));
  } else if (!seqs->empty()) {
    FUZZ_CHECK(seqs->back() - seqs->front() + 1 == seqs->size());
  }
}

}  // namespace lj
