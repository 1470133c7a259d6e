#pragma once
// Where a customer's published files live in storage, and the text of the two files that
// describe them: the one owner of that layout (as zk_layout.h is of ZooKeeper's). The pipeline
// writes it, retention shortens it, the downloader (`lj fetch`, and Imperva's own) and the
// audits read it; nginx serves the folder as it is.
//   <folder>/<account>_<seq>.log   a published log file (log_file_format.h: log_file_name)
//   <folder>/logs.index            every file still published, one name a line, oldest first,
//                                  numbers consecutive; it only grows, except that retention
//                                  removes names from its head
//   <folder>/logs.expired          retention's mark: "<last expired file number>\n", written
//                                  before retention shortens logs.index, so a committed file
//                                  found neither staged nor published can be told expired (at
//                                  or below the mark) from lost (above it)
// where <folder> is the customer's "<account>_<config id>" (CustomerConfig::folder).
// (Files being staged live elsewhere, under staging/: staging_name.h.) Names and texts only, no
// I/O: the fuzzers instrument it with the other codecs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prod/io/result.h"
#include "prod/lumberjack/customer_config.h"

namespace lj::lumberjack {

inline constexpr std::string_view kIndexLeaf = "logs.index";
inline constexpr std::string_view kExpiredMarkLeaf = "logs.expired";

// "<account>_<config id>": a customer's folder, in storage and in download URLs.
std::string folder_name(uint64_t account_id, uint64_t config_id);
struct FolderName {
  uint64_t account_id = 0;
  uint64_t config_id = 0;
};
// Both numbers positive, without leading zeros; nullopt otherwise.
std::optional<FolderName> parse_folder_name(std::string_view folder);

// What a name in the store is to this layout (nullopt: not one of its names, e.g. staging/...).
struct LayoutName {
  enum class Kind { kPublishedFile, kIndex, kExpiredMark };
  Kind kind = Kind::kPublishedFile;
  std::string folder;
  FolderName owner;  // the folder's account and configuration
  uint64_t seq = 0;  // kPublishedFile: its number (its name's account is the folder's)
};
std::optional<LayoutName> parse_layout_name(std::string_view name);
// Object names, relative to the store's root.
std::string published_name(const CustomerConfig& config, uint64_t seq);
std::string published_name(std::string_view folder, uint64_t account_id, uint64_t seq);
std::string index_name(const CustomerConfig& config);
std::string index_name(std::string_view folder);
std::string expired_mark_name(const CustomerConfig& config);
std::string expired_mark_name(std::string_view folder);

// logs.index listing files first_seq..last_seq (empty when first_seq > last_seq), and listing
// `seqs` (REQUIRES: increasing).
std::string index_contents(const CustomerConfig& config, uint64_t last_seq, uint64_t first_seq = 1);
std::string index_contents(uint64_t account_id, const std::vector<uint64_t>& seqs);
// logs.index as a reader finds it, served by whoever answers, so hostile: blank lines and CRLF
// are tolerated; kCorrupt for a name that is not "<account>_<seq>.log" of `account_id`, or for
// numbers that do not increase.
Result<std::vector<uint64_t>> parse_logs_index(std::string_view index, uint64_t account_id);
// The first number missing between the first and last of increasing `seqs`.
std::optional<uint64_t> first_missing(const std::vector<uint64_t>& seqs);

std::string expired_mark_contents(uint64_t last_expired_seq);
std::optional<uint64_t> parse_expired_mark(std::string_view text);

}  // namespace lj::lumberjack
