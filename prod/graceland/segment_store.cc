#include "prod/graceland/segment_store.h"

#include "prod/graceland/segment_format.h"
#include "prod/io/invariant.h"
#include "prod/io/planted.h"

namespace lj::graceland {

namespace {

// "<account>.<index>.seg": one flat directory, so one directory sync covers every new name.
bool parse_store_file_name(const std::string& name, std::string& account, uint32_t& index) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return false;
  account = name.substr(0, dot);
  return is_valid_account_id(account) && parse_segment_file_name(name.substr(dot + 1), index);
}

// The most one record can add to its account's files: a new segment's header, then the record.
// Limits judge this, so a batch admit() passes never fails them record by record.
uint64_t worst_case_bytes(size_t payload_bytes) {
  return kSegmentHeaderBytes + kRecordHeaderBytes + payload_bytes;
}

}  // namespace

SegmentStore::SegmentStore(Env env, SegmentStoreOptions options)
    : env_(env), options_(std::move(options)) {}

SegmentStore::~SegmentStore() = default;

std::string SegmentStore::path_of(std::string_view account, uint32_t index) const {
  return options_.root + "/" + std::string(account) + "." + segment_file_name(index);
}

Task<Result<std::unique_ptr<SegmentStore>>> SegmentStore::open(Env env,
                                                               SegmentStoreOptions options) {
  std::unique_ptr<SegmentStore> store(new SegmentStore(env, std::move(options)));
  // Its name durable too: a power loss must not take the directory, and every acknowledged
  // segment in it, along.
  if (Status s = co_await create_dir_durably(env.files, store->options_.root); !s.ok())
    co_return s.error();
  if (Status s = store->recover(); !s.ok()) co_return s.error();
  // (The planted bug serves what it recovered as it is: after a kill -9, records never synced.)
  if (!LJ_PLANTED(kUnsyncedRecovery)) {
    if (Status s = co_await store->make_recovered_durable(); !s.ok()) co_return s.error();
  }
  if (Status s = co_await store->load_or_create_store_id(); !s.ok()) co_return s.error();
  co_return store;
}

Task<Status> SegmentStore::load_or_create_store_id() {
  const std::string path = options_.root + "/" + std::string(kStoreIdFileName);
  Result<std::string> contents = read_file(env_.files, path);
  if (contents.ok()) {
    Result<uint64_t> id = decode_store_id_file(*contents);
    if (!id.ok()) {
      // Written atomically, so never torn: something else damaged it. A new id would be safe
      // (readers re-read this PoP from its oldest record and drop what they delivered), but
      // that is the operator's call: removing the file makes one.
      co_return Error(ErrorCode::kCorrupt, path + ": " + id.error().message() +
                                               "; remove it to give this store a new identity");
    }
    store_id_ = *id;
    co_return Status();
  }
  if (contents.code() != ErrorCode::kNotFound) co_return contents.status();
  // New and empty, or made before stores had ids: either way a new identity. (A store whose id
  // file a crash lost before it was durable never served a read, so no reader knows that id.)
  uint64_t id = 0;
  while (id == 0) id = env_.random.next_u64();  // 0 means "unknown" to readers
  const std::string text = encode_store_id_file(id);
  const std::span<const std::byte> bytes =
      std::as_bytes(std::span(text));  // (named: GCC 12, co_await)
  if (Status s = co_await write_file_atomically(env_.files, path, bytes); !s.ok()) co_return s;
  store_id_ = id;
  co_return Status();
}

Status SegmentStore::recover() {
  Result<std::vector<std::string>> names = env_.files.list(options_.root);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    std::string account;
    uint32_t index = 0;
    if (!parse_store_file_name(name, account, index)) continue;  // not ours: left alone
    Segment segment;
    segment.index = index;
    segment.name_durable = true;  // found on disk after a restart
    segment.known_since = env_.clock.monotonic_now();
    accounts_[account].segments.emplace(index, std::move(segment));
  }
  for (auto& [account, state] : accounts_) {
    for (auto it = state.segments.begin(); it != state.segments.end(); ++it) {
      Segment& segment = it->second;
      Result<std::string> contents = read_file(env_.files, path_of(account, segment.index));
      if (!contents.ok()) return contents.status();
      account_size(state, segment, contents->size());
      const auto bytes = std::as_bytes(std::span(*contents));
      const SegmentScan scan = scan_segment(bytes);
      if (!scan.created_wall_ms) {
        // A crash tore the header: the segment holds no record, and when it was made is
        // lost. Retention dates its predecessor by it, so it must not look old: now is a
        // safe upper bound (it was made before this restart). Zero here once made a
        // predecessor of unread records look 56 years old (lj sim delivery seed 2, standard world).
        segment.created_wall_ms = env_.clock.wall_now_ms();
        segment.durable_end = kSegmentHeaderBytes;
        continue;
      }
      segment.created_wall_ms = *scan.created_wall_ms;
      segment.durable_end = scan.durable_end;
      if (scan.damaged) {
        // Records follow a damaged one: readers stop here, loudly, rather than skip them.
        segment.damaged = true;
        damage_.push_back(account + " segment " + std::to_string(segment.index) +
                          ": record at offset " + std::to_string(scan.durable_end) +
                          " fails its checksum and " +
                          std::to_string(bytes.size() - scan.durable_end) + " bytes follow it");
      }
    }
  }
  return Status();  // every recovered segment is sealed: appends start new ones
}

Task<Status> SegmentStore::make_recovered_durable() {
  for (const auto& [account, state] : accounts_) {
    for (const auto& [index, segment] : state.segments) {
      Result<std::unique_ptr<File>> file =
          env_.files.open(path_of(account, index), OpenMode::kExisting);
      if (!file.ok()) co_return file.status();
      if (Status s = co_await (*file)->sync(); !s.ok()) co_return s;
    }
  }
  if (accounts_.empty()) co_return Status();
  co_return co_await env_.files.sync_dir(options_.root);
}

void SegmentStore::seal(Account& state) {
  state.has_active = false;
  if (state.last_append_tick != 0)
    writers_by_last_append_.erase(std::exchange(state.last_append_tick, 0));
}

void SegmentStore::opened_writer(Segment& segment, std::unique_ptr<File> file) {
  LJ_ASSERT(!segment.writer && file);
  segment.writer = std::move(file);
  ++open_writers_;
}

void SegmentStore::close_writer(Segment& segment) {
  if (!segment.writer) return;
  LJ_ASSERT(open_writers_ > 0);
  segment.writer.reset();
  --open_writers_;
}

void SegmentStore::touch(const std::string& account, Account& state) {
  if (state.last_append_tick != 0) writers_by_last_append_.erase(state.last_append_tick);
  state.last_append_tick = ++append_tick_;
  writers_by_last_append_.emplace(state.last_append_tick, account);
}

void SegmentStore::close_idle_writers(size_t keep) {
  while (open_writers_ > keep && !writers_by_last_append_.empty()) {
    const auto oldest = writers_by_last_append_.begin();
    // Appended since the last successful sync began: its bytes await the next group commit,
    // and so do those of every account after it in this order.
    if (oldest->first > durable_tick_) return;
    const std::string account = oldest->second;
    seal_settled(account, accounts_.find(account)->second);  // its next append starts a new segment
  }
}

void SegmentStore::seal_settled(const std::string& account, Account& state) {
  Segment& active = state.segments.rbegin()->second;
  LJ_ASSERT(state.has_active && active.writer != nullptr);
  LJ_ASSERT(state.last_append_tick != 0 && state.last_append_tick <= durable_tick_);
  LJ_ASSERT(!unsynced_.contains({account, active.index}));
  seal(state);
  close_writer(active);
}

void SegmentStore::account_size(Account& state, Segment& segment, uint64_t size) {
  LJ_ASSERT(size >= segment.file_bytes);  // files only grow, until retention removes them
  const uint64_t grown = size - segment.file_bytes;
  segment.file_bytes = size;
  state.stored_bytes += grown;
  stored_bytes_ += grown;
}

uint64_t SegmentStore::stored_bytes(std::string_view account) const {
  auto state = accounts_.find(account);
  return state == accounts_.end() ? 0 : state->second.stored_bytes;
}

Status SegmentStore::quota_room_for(std::string_view account, uint64_t bytes) const {
  const uint64_t held = stored_bytes(account);
  if (bytes <= options_.account_quota_bytes && held <= options_.account_quota_bytes - bytes)
    return Status();
  return Error(ErrorCode::kResourceExhausted,
               "account " + std::string(account) + " holds " + std::to_string(held) + " bytes; " +
                   std::to_string(bytes) + " more would pass its quota of " +
                   std::to_string(options_.account_quota_bytes) +
                   " bytes: new data refused until retention frees some");
}

Status SegmentStore::store_room_for(uint64_t bytes) const {
  if (bytes <= options_.max_store_bytes && stored_bytes_ <= options_.max_store_bytes - bytes)
    return Status();
  return Error(ErrorCode::kResourceExhausted,
               "the store holds " + std::to_string(stored_bytes_) + " bytes; " +
                   std::to_string(bytes) + " more would pass its maximum of " +
                   std::to_string(options_.max_store_bytes) +
                   " bytes: new data refused, acknowledged data kept, until retention frees some");
}

Status SegmentStore::disk_room_for(uint64_t bytes) {
  if (options_.disk_reserve_bytes == 0) return Status();  // not asked: no operation at all
  Result<uint64_t> free = env_.files.free_bytes(options_.root);
  if (!free.ok()) return free.status();
  if (*free < bytes || *free - bytes < options_.disk_reserve_bytes) {
    return Error(ErrorCode::kResourceExhausted,
                 "the store's file system has " + std::to_string(*free) + " bytes free; " +
                     std::to_string(bytes) + " more would leave less than the reserve of " +
                     std::to_string(options_.disk_reserve_bytes) +
                     " bytes: new data refused, acknowledged data kept");
  }
  return Status();
}

Status SegmentStore::admit(std::span<const PendingAppend> records) {
  std::map<std::string_view, uint64_t> by_account;
  uint64_t total = 0;
  for (const PendingAppend& record : records) {
    by_account[record.account] += worst_case_bytes(record.payload.size());
    total += worst_case_bytes(record.payload.size());
  }
  for (const auto& [account, bytes] : by_account) {
    if (Status s = quota_room_for(account, bytes); !s.ok()) {
      ++stats_.refused_account_quota;
      return s;
    }
  }
  if (Status s = store_room_for(total); !s.ok()) {
    ++stats_.refused_store_max;
    return s;
  }
  Status disk = disk_room_for(total);
  if (!disk.ok() && disk.code() == ErrorCode::kResourceExhausted) ++stats_.refused_disk_reserve;
  return disk;
}

size_t SegmentStore::segment_count() const {
  size_t count = 0;
  for (const auto& [account, state] : accounts_) count += state.segments.size();
  return count;
}

Result<SegmentStore::Segment*> SegmentStore::writable_segment(const std::string& account,
                                                              Account& state, size_t bytes) {
  if (state.has_active) {
    Segment& active = state.segments.rbegin()->second;
    const bool full = active.writer->size() + bytes > options_.segment_max_bytes &&
                      active.writer->size() > kSegmentHeaderBytes;
    const bool old = env_.clock.monotonic_now() - state.active_since >=
                     std::chrono::milliseconds(options_.segment_max_age_ms);
    if (!full && !old) return &active;
    // Rolled: a writer whose bytes are all durable closes now (no sync will visit it again);
    // one awaiting a sync closes after it.
    if (state.last_append_tick != 0 && state.last_append_tick <= durable_tick_) {
      seal_settled(account, state);
    } else {
      seal(state);
    }
  }
  // A descriptor for the new writer: idle ones go first (a flood of account ids never
  // reaches EMFILE).
  close_idle_writers(options_.max_open_writers > 0 ? options_.max_open_writers - 1 : 0);
  const uint32_t index = state.segments.empty() ? 1 : state.segments.rbegin()->first + 1;
  Result<std::unique_ptr<File>> file =
      env_.files.open(path_of(account, index), OpenMode::kCreateNew);
  if (!file.ok()) return file.error();
  // Registered before its header is written: if that write fails, the next segment still
  // gets a fresh index (found by seed 336 of `lj-sim ingest`: every later create collided).
  Segment& segment = state.segments.emplace(index, Segment{}).first->second;
  ++stats_.segments_created;
  segment.index = index;
  segment.created_wall_ms = env_.clock.wall_now_ms();
  segment.known_since = env_.clock.monotonic_now();
  segment.durable_end = kSegmentHeaderBytes;
  opened_writer(segment, std::move(*file));
  names_dirty_ = true;
  unnamed_.emplace_back(account, index);
  const std::string header = encode_segment_header(segment.created_wall_ms);
  const Status written = segment.writer->append(std::as_bytes(std::span(header)));
  account_size(state, segment, segment.writer->size());
  unsynced_[{account, index}] = segment.writer->size();
  if (!written.ok()) return written.error();  // stays sealed: appends try the next index
  state.has_active = true;
  state.active_since = env_.clock.monotonic_now();
  return &segment;
}

Result<Position> SegmentStore::append(std::string_view account_id,
                                      std::span<const std::byte> payload) {
  if (!is_valid_account_id(account_id)) {
    return Error(
        ErrorCode::kInvalidArgument,
        "account id '" + std::string(account_id.substr(0, 80)) + "' is not [0-9A-Za-z_-]{1,64}");
  }
  if (payload.empty() || payload.size() > kMaxSegmentPayloadBytes) {
    return Error(ErrorCode::kTooLarge, "record of " + std::to_string(payload.size()) +
                                           " bytes outside [1, " +
                                           std::to_string(kMaxSegmentPayloadBytes) + "]");
  }
  if (Status s = quota_room_for(account_id, worst_case_bytes(payload.size())); !s.ok())
    return s.error();
  if (Status s = store_room_for(worst_case_bytes(payload.size())); !s.ok()) return s.error();
  const std::string account(account_id);
  Account& state = accounts_[account];
  std::string record;
  append_segment_record(record, payload);
  Result<Segment*> segment = writable_segment(account, state, record.size());
  if (!segment.ok()) return segment.error();
  File& file = *(*segment)->writer;
  const Position position{(*segment)->index, file.size()};
  const Status appended = file.append(std::as_bytes(std::span(record)));
  account_size(state, **segment, file.size());  // (a failed append's prefix takes space too)
  unsynced_[{account, position.file_index}] = file.size();
  if (!appended.ok()) {
    seal(state);  // a prefix may be on disk: never append after it
    return appended.error();
  }
  touch(account, state);
  return position;
}

Task<Status> SegmentStore::sync() {
  // Capture what this sync covers; appends made while it waits belong to the next one.
  std::map<std::pair<std::string, uint32_t>, uint64_t> covering;
  covering.swap(unsynced_);
  const uint64_t covering_tick = append_tick_;  // every append so far
  const bool names = std::exchange(names_dirty_, false);
  // The segments whose names this sync makes durable: those created before it began.
  std::vector<std::pair<std::string, uint32_t>> naming;
  if (names) naming.swap(unnamed_);
  Status result;
  for (const auto& [key, size] : covering) {
    auto account = accounts_.find(key.first);
    LJ_ASSERT(account != accounts_.end());
    Segment& segment = account->second.segments.at(key.second);
    if (segment.sync_failed) {
      // Bytes appended to it while its sync was failing: no later fsync can vouch for them.
      result = Error(ErrorCode::kIoError,
                     "segment " + key.first + "." + std::to_string(key.second) +
                         " lost unsynced bytes to a failed fsync: not acknowledged");
      continue;
    }
    LJ_ASSERT(segment.writer);
    if (Status s = co_await segment.writer->sync(); !s.ok()) {
      result = s;
      // (Looked up again: retention may have removed it while we waited.)
      if (auto state = accounts_.find(key.first); state != accounts_.end()) {
        if (auto failed = state->second.segments.find(key.second);
            failed != state->second.segments.end()) {
          // (The planted bug retries it, as before fsyncgate was understood.)
          failed->second.sync_failed = !LJ_PLANTED(kRetryFailedSync);
        }
      }
      break;
    }
  }
  // Crash point: new segments' bytes durable, their names not yet.
  if (result.ok() && names) co_await crash_point(env_, "crash.graceland.before-dir-sync");
  if (result.ok() && names && !LJ_PLANTED(kNoDirSync))
    result = co_await env_.files.sync_dir(options_.root);
  if (!result.ok()) {
    // Nothing covered may be acknowledged. A segment whose fsync failed is given up for good
    // (fsyncgate: Linux drops the pages it failed to write and a later fsync returns ok without
    // them): sealed, never synced again, its durable end where the last good sync left it, so
    // readers never see and no batch is ever acknowledged for a byte of unknown fate. Segments
    // this round did not reach are retried next time.
    for (const auto& [key, size] : covering) {
      Account& state = accounts_[key.first];
      seal(state);
      auto segment = state.segments.find(key.second);
      if (segment == state.segments.end()) continue;  // removed by retention meanwhile
      if (segment->second.sync_failed) {
        // Not retried. Bytes appended while this sync ran stay listed in unsynced_, so the next
        // round meets this segment and fails the batches that hold them.
        close_writer(segment->second);
        continue;
      }
      uint64_t& pending = unsynced_[key];
      pending = std::max(pending, size);
    }
    names_dirty_ = names_dirty_ || names;
    unnamed_.insert(unnamed_.begin(), naming.begin(),
                    naming.end());  // their names are still volatile
    co_return result;
  }
  for (const auto& [account, index] : naming) {
    // (Looked up again: retention may have removed it while we waited.)
    auto state = accounts_.find(account);
    if (state == accounts_.end()) continue;
    if (auto segment = state->second.segments.find(index);
        segment != state->second.segments.end()) {
      segment->second.name_durable = true;
    }
  }
  for (const auto& [key, size] : covering) {
    Account& state = accounts_[key.first];
    Segment& segment = state.segments.at(key.second);
    segment.durable_end = std::max(segment.durable_end, size);
    const bool active = state.has_active && state.segments.rbegin()->first == key.second;
    if (!active && !unsynced_.contains(key)) close_writer(segment);  // sealed and settled
  }
  // Syncs are serialised: durability only moves forward.
  LJ_ASSERT(covering_tick >= durable_tick_);
  durable_tick_ = covering_tick;
  close_idle_writers(options_.max_open_writers);
  co_return Status();
}

Result<ReadBatch> SegmentStore::read(std::string_view account_id, Position from, size_t max_bytes) {
  ReadBatch batch;
  batch.next = from;
  batch.store_id = store_id_;
  auto account = accounts_.find(account_id);
  if (account == accounts_.end()) return batch;
  auto& segments = account->second.segments;
  if (segments.empty()) return batch;
  if (from.file_index == 0) from = Position{segments.begin()->first, kSegmentHeaderBytes};
  if (from.file_index < segments.begin()->first) {
    return Error(ErrorCode::kNotFound,
                 "position " + from.to_string() + " of account " + std::string(account_id) +
                     " was removed by retention; the oldest kept is " +
                     Position{segments.begin()->first, kSegmentHeaderBytes}.to_string());
  }
  size_t taken = 0;
  auto it = segments.lower_bound(from.file_index);
  Position at = from;
  while (it != segments.end()) {
    const Segment& segment = it->second;
    if (at.file_index != segment.index) at = Position{segment.index, kSegmentHeaderBytes};
    at.offset = std::max<uint64_t>(at.offset, kSegmentHeaderBytes);
    bool segment_ended = false;
    const uint64_t end = segment.durable_end;  // readers stop here
    if (at.offset < end) {
      const uint64_t want =
          std::min<uint64_t>(end - at.offset, std::max<size_t>(max_bytes - taken, 0) +
                                                  kMaxSegmentPayloadBytes + kRecordHeaderBytes);
      Result<std::unique_ptr<File>> file =
          env_.files.open(path_of(account_id, segment.index), OpenMode::kExisting);
      if (!file.ok()) return file.error();
      std::string chunk(want, '\0');
      Result<size_t> got = (*file)->read_at(at.offset, std::as_writable_bytes(std::span(chunk)));
      if (!got.ok()) return got.error();
      chunk.resize(*got);
      const auto bytes = std::as_bytes(std::span(chunk));
      size_t used = 0;
      while (used < bytes.size() && (taken < max_bytes || batch.records.empty())) {
        const size_t n = valid_record_bytes(bytes.subspan(used));
        if (n == 0 && followed_by_records(**file, at.offset + used, end)) {
          // Valid records follow an invalid one: it was damaged after it was written (a torn
          // tail - a failed append's prefix - has nothing after it). Never skip past it.
          it->second.damaged = true;
          if (batch.records.empty()) return damaged_error(account_id, segment, at.offset + used);
          break;
        }
        if (n == 0) {
          // Short only because of our read window: stop here. Otherwise the segment ends.
          segment_ended = at.offset + used + kRecordHeaderBytes + kMaxSegmentPayloadBytes <=
                              at.offset + bytes.size() ||
                          at.offset + bytes.size() >= end;
          break;
        }
        batch.records.emplace_back(chunk.substr(used + kRecordHeaderBytes, n - kRecordHeaderBytes));
        taken += n - kRecordHeaderBytes;
        used += n;
      }
      at.offset += used;
      if (at.offset >= end) segment_ended = true;
    } else {
      segment_ended = true;
    }
    batch.next = at;
    if (taken >= max_bytes && !batch.records.empty()) break;
    if (!segment_ended) break;
    if (segment.damaged) {
      if (batch.records.empty()) return damaged_error(account_id, segment, at.offset);
      break;  // what came before the damage now, the refusal on the next read
    }
    auto next = std::next(it);
    if (next == segments.end()) break;  // the newest segment: more may come
    // Move on only once this segment's fate is settled (a sealed segment whose last sync
    // failed may still grow durable records) and the next one's name is durable.
    if (unsynced_.contains({std::string(account_id), segment.index}) || !next->second.name_durable)
      break;
    it = next;
  }
  return batch;
}

bool SegmentStore::followed_by_records(File& file, uint64_t offset, uint64_t end) {
  if (offset >= end) return false;
  // Only where a read meets an invalid record: enough for it and the record after it.
  const uint64_t enough = 2 * (kRecordHeaderBytes + kMaxSegmentPayloadBytes);
  std::string rest(std::min(end - offset, enough), '\0');
  Result<size_t> got = file.read_at(offset, std::as_writable_bytes(std::span(rest)));
  if (!got.ok()) return false;
  rest.resize(*got);
  return damaged_record_at(std::as_bytes(std::span(rest)));
}

Error SegmentStore::damaged_error(std::string_view account, const Segment& segment,
                                  uint64_t offset) const {
  return Error(ErrorCode::kCorrupt,
               "account " + std::string(account) + " segment " + std::to_string(segment.index) +
                   " is damaged at offset " + std::to_string(offset) +
                   " (a record fails its checksum): not served past it; the records "
                   "after it need an operator (docs/operations.md)");
}

std::vector<AccountExtent> SegmentStore::accounts() const {
  std::vector<AccountExtent> out;
  for (const auto& [account, state] : accounts_) {
    if (state.segments.empty()) continue;
    const Segment& first = state.segments.begin()->second;
    const Segment& last = state.segments.rbegin()->second;
    out.push_back(AccountExtent{account, Position{first.index, kSegmentHeaderBytes},
                                Position{last.index, last.durable_end}});
  }
  return out;
}

Task<Status> SegmentStore::remove_expired() {
  const int64_t cutoff = env_.clock.wall_now_ms() - options_.retention_ms;
  const Duration known_cutoff =
      env_.clock.monotonic_now() - std::chrono::milliseconds(options_.retention_ms);
  bool removed = false;
  for (auto& [account, state] : accounts_) {
    // A segment's records are no newer than its successor's creation: remove it once that
    // creation is past the cutoff. The newest segment always stays.
    while (state.segments.size() > 1) {
      auto oldest = state.segments.begin();
      auto successor = std::next(oldest);
      const Segment& newer = successor->second;
      const bool known_long_enough =
          newer.known_since <= known_cutoff || LJ_PLANTED(kWallClockRetention);
      if (newer.created_wall_ms >= cutoff || !known_long_enough || oldest->second.writer) break;
      if (Status s = env_.files.remove(path_of(account, oldest->first)); !s.ok()) co_return s;
      LJ_ASSERT(state.stored_bytes >= oldest->second.file_bytes &&
                stored_bytes_ >= oldest->second.file_bytes);
      state.stored_bytes -= oldest->second.file_bytes;  // retention frees quota
      stored_bytes_ -= oldest->second.file_bytes;
      ++stats_.segments_expired;
      stats_.bytes_expired += oldest->second.file_bytes;
      state.segments.erase(oldest);
      removed = true;
    }
  }
  if (removed) co_return co_await env_.files.sync_dir(options_.root);
  co_return Status();
}

}  // namespace lj::graceland
