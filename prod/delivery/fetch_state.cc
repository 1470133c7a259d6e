#include "prod/delivery/fetch_state.h"

#include <string>

#include "prod/lumberjack/published_layout.h"
#include "prod/text/numbers.h"

namespace lj::delivery {

std::string FetchState::encode() const {
  return "folder=" + folder + "\nlast_seq=" + std::to_string(last_seq) + "\n";
}

Result<FetchState> FetchState::decode(std::string_view text) {
  FetchState state;
  bool has_folder = false, has_seq = false;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty()) continue;
    const size_t equals = line.find('=');
    const std::string_view key = line.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : line.substr(equals + 1);
    if (key == "folder" && !has_folder) {
      if (!lumberjack::parse_folder_name(value))
        return Error(ErrorCode::kCorrupt, "fetch state: bad folder");
      state.folder = std::string(value);
      has_folder = true;
    } else if (key == "last_seq" && !has_seq) {
      if (value != "0" && !text::parse_canonical_positive(value, state.last_seq)) {
        return Error(ErrorCode::kCorrupt, "fetch state: bad last_seq");
      }
      has_seq = true;
    } else {
      return Error(ErrorCode::kCorrupt,
                   "fetch state: unexpected line '" + std::string(line.substr(0, 40)) + "'");
    }
  }
  if (!has_folder || !has_seq)
    return Error(ErrorCode::kCorrupt, "fetch state: folder or last_seq missing");
  return state;
}

}  // namespace lj::delivery
