#pragma once
// A folder's logs.index as the downloader reads it (prod/delivery/fetcher.h): served by
// whoever answers its HTTP requests, so hostile input.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "prod/io/result.h"

namespace lj::delivery {

// logs.index: one file name per line, oldest first ("1001_1.log"); blank lines and CRLF are
// tolerated. kCorrupt for a name that is not "<account>_<seq>.log" of `account_id`, or for
// sequence numbers that do not increase.
Result<std::vector<uint64_t>> parse_logs_index(std::string_view index, uint64_t account_id);
// The first sequence number missing between the first and last of increasing `seqs`.
std::optional<uint64_t> first_missing(const std::vector<uint64_t>& seqs);

}  // namespace lj::delivery
