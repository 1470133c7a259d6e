#include "prod/proxy/proxy_journal.h"

#include <cstring>

#include "prod/graceland/segment_format.h"
#include "prod/io/invariant.h"

namespace lj::proxy {

namespace {

// Record payloads, after a one-byte kind; integers are 8 bytes little-endian.
constexpr char kQueued = 'Q';        // account, stream, sequence, then the encoded event
constexpr char kDropped = 'D';       // stream, sequence
constexpr char kAcknowledged = 'A';  // how many of the oldest unacknowledged events
constexpr char kNextSequence = 'N';  // slot, next sequence (a rewrite's snapshot)
constexpr char kIdsUsed = 'U';       // ids used before the events that follow (a rewrite's)

void put_u64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t get_u64(std::string_view bytes, size_t at) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return value;
}

std::string framed(const std::string& payload) {
  std::string out;
  graceland::append_segment_record(out, std::as_bytes(std::span(payload)));
  return out;
}

std::string queued_payload(const QueuedEvent& event) {
  std::string payload(1, kQueued);
  put_u64(payload, event.account_id);
  put_u64(payload, event.id.proxy_id);
  put_u64(payload, event.id.sequence);
  payload += event.record;
  return payload;
}

void saw_id(JournalState& state, const EventId& id) {
  const uint64_t slot = id.proxy_id % kStreamsPerProxy;
  if (slot < state.next_sequence.size()) {
    state.next_sequence[slot] = std::max(state.next_sequence[slot], id.sequence + 1);
  }
  ++state.ids_used;
}

}  // namespace

void ProxyJournal::recover(std::string_view bytes, JournalState& state) {
  for (size_t at = 0; at < bytes.size();) {
    const size_t n = graceland::valid_record_bytes(std::as_bytes(std::span(bytes.substr(at))));
    if (n == 0) break;  // the torn or zeroed tail of a power loss: nothing after it counts
    const std::string_view payload =
        bytes.substr(at + graceland::kRecordHeaderBytes, n - graceland::kRecordHeaderBytes);
    at += n;
    if (payload.empty()) continue;
    const char kind = payload[0];
    if (kind == kQueued && payload.size() >= 25) {
      QueuedEvent event{EventId{get_u64(payload, 9), get_u64(payload, 17)}, get_u64(payload, 1),
                        std::string(payload.substr(25))};
      saw_id(state, event.id);
      state.unacknowledged.push_back(std::move(event));
    } else if (kind == kDropped && payload.size() >= 17) {
      saw_id(state, EventId{get_u64(payload, 1), get_u64(payload, 9)});
    } else if (kind == kAcknowledged && payload.size() >= 9) {
      const uint64_t count = std::min<uint64_t>(get_u64(payload, 1), state.unacknowledged.size());
      state.unacknowledged.erase(state.unacknowledged.begin(),
                                 state.unacknowledged.begin() + static_cast<std::ptrdiff_t>(count));
    } else if (kind == kNextSequence && payload.size() >= 17) {
      const uint64_t slot = get_u64(payload, 1);
      if (slot < state.next_sequence.size()) {
        state.next_sequence[slot] = std::max(state.next_sequence[slot], get_u64(payload, 9));
      }
    } else if (kind == kIdsUsed && payload.size() >= 9) {
      state.ids_used = get_u64(payload, 1);
    }
  }
}

std::string ProxyJournal::encode(const JournalState& state) {
  LJ_ASSERT(state.ids_used >= state.unacknowledged.size());
  std::string out;
  std::string payload(1, kIdsUsed);
  put_u64(payload, state.ids_used - state.unacknowledged.size());
  out += framed(payload);
  for (size_t slot = 0; slot < state.next_sequence.size(); ++slot) {
    payload.assign(1, kNextSequence);
    put_u64(payload, slot);
    put_u64(payload, state.next_sequence[slot]);
    out += framed(payload);
  }
  for (const QueuedEvent& event : state.unacknowledged) out += framed(queued_payload(event));
  return out;
}

Task<Result<std::unique_ptr<ProxyJournal>>> ProxyJournal::open(Env env, std::string path,
                                                               JournalState& state) {
  std::unique_ptr<ProxyJournal> journal(new ProxyJournal(env, std::move(path)));
  Result<std::string> contents = read_file(env.files, journal->path_);
  if (!contents.ok() && contents.code() != ErrorCode::kNotFound) co_return contents.error();
  if (contents.ok()) recover(*contents, state);
  if (Status s = co_await journal->rewrite(state); !s.ok()) co_return s.error();
  co_return journal;
}

void ProxyJournal::append(const std::string& payload) {
  pending_ += framed(payload);
  unsynced_ = true;
}

void ProxyJournal::queued(const QueuedEvent& event) {
  append(queued_payload(event));
}

void ProxyJournal::dropped(const EventId& id) {
  std::string payload(1, kDropped);
  put_u64(payload, id.proxy_id);
  put_u64(payload, id.sequence);
  append(payload);
}

void ProxyJournal::acknowledged(uint64_t oldest_count) {
  std::string payload(1, kAcknowledged);
  put_u64(payload, oldest_count);
  append(payload);
}

Task<Status> ProxyJournal::sync() {
  if (!file_)
    co_return Error(ErrorCode::kIoError, path_ + ": a failed write or fsync: rewrite it first");
  if (!pending_.empty()) {
    const std::string bytes = std::exchange(pending_, {});
    if (Status s = file_->append(std::as_bytes(std::span(bytes))); !s.ok()) {
      file_.reset();  // a prefix may be on disk: never append after it
      co_return s;
    }
  }
  // Cleared before the wait: what is recorded meanwhile belongs to the next sync.
  unsynced_ = false;
  if (Status s = co_await file_->sync(); !s.ok()) {
    file_.reset();  // fsyncgate: what it covered may be gone whatever a later fsync says
    unsynced_ = true;
    co_return s;
  }
  co_return Status();
}

Task<Status> ProxyJournal::rewrite(const JournalState& state) {
  // `state` holds everything recorded so far; what is recorded while this waits goes to the
  // next sync, after it.
  file_.reset();
  pending_.clear();
  unsynced_ = false;
  const std::string bytes = encode(state);
  const std::span<const std::byte> view =
      std::as_bytes(std::span(bytes));  // (named: GCC 12, co_await)
  Status written = co_await write_file_atomically(env_.files, path_, view);
  if (written.ok()) {
    Result<std::unique_ptr<File>> file = env_.files.open(path_, OpenMode::kExisting);
    if (file.ok()) file_ = std::move(*file);
    written = file.status();
  }
  // Failed: `state` is durable nowhere. Until a rewrite succeeds, nothing is (no file to sync).
  if (!written.ok()) unsynced_ = true;
  co_return written;
}

uint64_t ProxyJournal::size() const {
  return (file_ ? file_->size() : 0) + pending_.size();
}

}  // namespace lj::proxy
