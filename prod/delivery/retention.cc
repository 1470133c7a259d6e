#include "prod/delivery/retention.h"

#include <algorithm>
#include <vector>

#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_header.h"
#include "prod/lumberjack/published_layout.h"

namespace lj::delivery {

Task<Result<RetentionResult>> expire_published_files(ObjectStore& store,
                                                     const lumberjack::CustomerConfig& config,
                                                     int64_t now_ms, int64_t retention_ms,
                                                     std::function<bool(uint64_t seq)> may_expire) {
  const std::string index_name = lumberjack::index_name(config);
  Result<std::string> index = co_await store.get(index_name);
  if (!index.ok()) {
    if (index.code() == ErrorCode::kNotFound) co_return RetentionResult{};  // nothing published yet
    co_return index.error();
  }
  Result<std::vector<uint64_t>> seqs = lumberjack::parse_logs_index(*index, config.account_id);
  if (!seqs.ok()) co_return seqs.error();
  // What earlier runs expired (their mark): only files at or below a mark are ever removed.
  Result<std::string> mark = co_await store.get(lumberjack::expired_mark_name(config));
  if (!mark.ok() && mark.code() != ErrorCode::kNotFound) co_return mark.error();
  uint64_t expired_through = 0;
  if (mark.ok()) {
    const std::optional<uint64_t> parsed = lumberjack::parse_expired_mark(*mark);
    if (!parsed)
      co_return Error(ErrorCode::kCorrupt,
                      lumberjack::expired_mark_name(config) + " does not parse");
    expired_through = *parsed;
  }
  const int64_t cutoff_ms = now_ms - retention_ms;

  size_t expired = 0;
  for (; expired < seqs->size(); ++expired) {
    if (may_expire && !may_expire((*seqs)[expired])) break;  // this one and every later one stay
    const std::string name = lumberjack::published_name(config, (*seqs)[expired]);
    Result<std::string> file = co_await store.get(name);
    if (!file.ok()) {
      if (file.code() == ErrorCode::kNotFound) continue;  // gone already: a run cut short
      co_return file.error();
    }
    Result<ParsedLogFileHeader> header = parse_log_file_header(*file);
    if (!header.ok()) co_return Error(ErrorCode::kCorrupt, name + ": " + header.error().message());
    if (header->header.end_time_ms > cutoff_ms) break;  // this one and every later one stay
  }

  RetentionResult result;
  result.first_kept_seq = expired < seqs->size() ? (*seqs)[expired] : 0;
  result.last_listed_seq = seqs->empty() ? 0 : seqs->back();
  if (expired > 0) {
    // The mark first: a publisher that finds a committed file missing must know it expired.
    // It never moves back (a stale owner's run may have read an older index).
    expired_through = std::max(expired_through, (*seqs)[expired - 1]);
    const std::string new_mark = lumberjack::expired_mark_contents(expired_through);
    if (Status s = co_await store.put(lumberjack::expired_mark_name(config), new_mark); !s.ok())
      co_return s.error();
    const std::vector<uint64_t> kept(seqs->begin() + static_cast<std::ptrdiff_t>(expired),
                                     seqs->end());
    const std::string index_text = lumberjack::index_contents(config.account_id, kept);
    if (Status s = co_await store.put(index_name, index_text); !s.ok()) co_return s.error();
  }
  // Files older than the first kept: the ones just expired, and any left by a run cut short.
  // Nothing newer than the index's last entry is touched.
  if (seqs->empty()) co_return result;
  const uint64_t remove_below = expired < seqs->size() ? (*seqs)[expired] : seqs->back() + 1;
  Result<std::vector<std::string>> objects = co_await store.list(config.folder());
  if (!objects.ok()) co_return objects.error();
  for (const std::string& object : *objects) {
    const std::optional<LogFileName> name =
        parse_log_file_name(object.substr(object.rfind('/') + 1));
    // Below the first kept, and expired by a mark: an index that starts later than the mark
    // proves nothing (seed 2324002559: a stale owner's retention had emptied it).
    if (!name || name->account_id != config.account_id || name->seq >= remove_below ||
        name->seq > expired_through) {
      continue;
    }
    if (Status s = co_await store.remove(object); !s.ok()) co_return s.error();
    ++result.files_removed;
  }
  co_return result;
}

}  // namespace lj::delivery
