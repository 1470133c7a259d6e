#pragma once
// The downloader's state file (prod/delivery/fetcher.h): where `lj fetch` is, the folder it reads
// and the last file it fully processed. Read back after every restart, from a file anyone with
// the customer's account may have edited: decoding refuses anything but the two lines it writes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::delivery {

// Where a downloader is: the folder it reads and the last file it fully processed.
struct FetchState {
  std::string folder;          // "<account>_<config>"
  uint64_t last_seq = 0;       // 0: nothing yet
  std::string encode() const;  // "folder=1001_7\nlast_seq=12\n"
  static Result<FetchState> decode(std::string_view text);
  bool operator==(const FetchState&) const = default;
};

}  // namespace lj::delivery
