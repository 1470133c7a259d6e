#pragma once
// Retention: a customer's published files older than the retention period leave storage and
// logs.index. A file's age is its header's endTime (the newest event in it), read from the
// file itself: storage keeps no timestamps of its own (ObjectStore has none).
//
// Order of work, so that a downloader never finds the index listing a missing file:
//   1. read logs.index and, oldest first, each listed file's header, stopping at the first file
//      young enough to keep (files are published in time order);
//   2. write logs.expired, the number of the newest file expired (a publisher that finds a
//      committed file neither staged nor published reads it: expired, or lost and to be
//      written again - CustomerPipeline), then logs.index without the expired files;
//   3. remove the expired files.
// A crash between 2 and 3 leaves unlisted files, removed by the next run: every step is
// idempotent, so the whole is simply run again. Only files at or below the mark are ever
// removed, and the mark never moves back: a run on a stale index (a fenced owner's) can
// neither lower it nor take a file that merely went unlisted. A listed file that is already gone
// counts as expired. When every listed file has expired the index is written empty. Files newer
// than the index's last entry are never touched.
//
// REQUIRES: nothing else writes the folder's logs.index meanwhile - run it where the
// customer's files are published (the worker holding the customer's assignment), between two
// publishes. The publisher must then keep the index starting at the first file retention
// kept (CustomerPipeline writes it whole, from file 1, today: see the report of issue 6).

#include <cstdint>
#include <functional>
#include <string>

#include "prod/io/clock.h"
#include "prod/io/object_store.h"
#include "prod/lumberjack/customer_config.h"

namespace lj::delivery {

inline constexpr int64_t kDefaultRetention_ms = 48LL * 3600 * 1000;

struct RetentionResult {
  uint64_t files_removed = 0;
  uint64_t first_kept_seq = 0;   // 0: no file is listed any more
  uint64_t last_listed_seq = 0;  // the newest file the index listed (0: none)
};

// Expires the files of `config`'s folder whose endTime is at or before now_ms - retention_ms,
// oldest first, and only while `may_expire(seq)` allows (if given: ListedSince's guard against
// clocks that are days off). Errors: those of the store (nothing is listed as present that is
// not), kCorrupt for an index or a file header that does not parse (nothing is changed then).
Task<Result<RetentionResult>> expire_published_files(
    ObjectStore& store, const lumberjack::CustomerConfig& config, int64_t now_ms,
    int64_t retention_ms = kDefaultRetention_ms, std::function<bool(uint64_t seq)> may_expire = {});

}  // namespace lj::delivery
