#include "prod/lumberjack/published_layout.h"

#include "prod/io/invariant.h"
#include "prod/logfile/log_file_format.h"
#include "prod/text/numbers.h"

namespace lj::lumberjack {
namespace {

std::string in_folder(std::string_view folder, std::string_view leaf) {
  std::string name(folder);
  name += '/';
  name += leaf;
  return name;
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string folder_name(uint64_t account_id, uint64_t config_id) {
  return std::to_string(account_id) + "_" + std::to_string(config_id);
}

std::optional<FolderName> parse_folder_name(std::string_view folder) {
  const size_t underscore = folder.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  FolderName name;
  if (!text::parse_canonical_positive(folder.substr(0, underscore), name.account_id) ||
      !text::parse_canonical_positive(folder.substr(underscore + 1), name.config_id)) {
    return std::nullopt;
  }
  return name;
}

std::optional<LayoutName> parse_layout_name(std::string_view name) {
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  LayoutName out;
  out.folder = std::string(name.substr(0, slash));
  const std::optional<FolderName> owner = parse_folder_name(out.folder);
  if (!owner) return std::nullopt;
  out.owner = *owner;
  const std::string_view leaf = name.substr(slash + 1);
  if (leaf == kIndexLeaf) {
    out.kind = LayoutName::Kind::kIndex;
  } else if (leaf == kExpiredMarkLeaf) {
    out.kind = LayoutName::Kind::kExpiredMark;
  } else {
    const std::optional<LogFileName> file = parse_log_file_name(leaf);
    if (!file || file->account_id != owner->account_id) return std::nullopt;
    out.kind = LayoutName::Kind::kPublishedFile;
    out.seq = file->seq;
  }
  return out;
}

std::string published_name(const CustomerConfig& config, uint64_t seq) {
  return published_name(config.folder(), config.account_id, seq);
}
std::string published_name(std::string_view folder, uint64_t account_id, uint64_t seq) {
  return in_folder(folder, log_file_name(account_id, seq));
}
std::string index_name(const CustomerConfig& config) {
  return index_name(config.folder());
}
std::string index_name(std::string_view folder) {
  return in_folder(folder, kIndexLeaf);
}
std::string expired_mark_name(const CustomerConfig& config) {
  return expired_mark_name(config.folder());
}
std::string expired_mark_name(std::string_view folder) {
  return in_folder(folder, kExpiredMarkLeaf);
}

std::string index_contents(const CustomerConfig& config, uint64_t last_seq, uint64_t first_seq) {
  std::string out;
  for (uint64_t seq = first_seq; seq <= last_seq; ++seq) {
    out += log_file_name(config.account_id, seq) + "\n";
  }
  return out;
}

std::string index_contents(uint64_t account_id, const std::vector<uint64_t>& seqs) {
  std::string out;
  for (size_t i = 0; i < seqs.size(); ++i) {
    LJ_ASSERT(i == 0 || seqs[i] > seqs[i - 1]);
    out += log_file_name(account_id, seqs[i]) + "\n";
  }
  return out;
}

Result<std::vector<uint64_t>> parse_logs_index(std::string_view index, uint64_t account_id) {
  std::vector<uint64_t> seqs;
  size_t line_number = 0;
  while (!index.empty()) {
    const size_t newline = index.find('\n');
    const std::string_view line = without_cr(index.substr(0, newline));
    index.remove_prefix(newline == std::string_view::npos ? index.size() : newline + 1);
    ++line_number;
    if (line.empty()) continue;
    const std::optional<LogFileName> name = parse_log_file_name(line);
    if (!name || name->account_id != account_id) {
      return Error(ErrorCode::kCorrupt, "logs.index line " + std::to_string(line_number) + ": '" +
                                            std::string(line.substr(0, 64)) +
                                            "' is not a log file of account " +
                                            std::to_string(account_id));
    }
    if (!seqs.empty() && name->seq <= seqs.back()) {
      return Error(ErrorCode::kCorrupt, "logs.index line " + std::to_string(line_number) +
                                            ": file " + std::to_string(name->seq) + " after file " +
                                            std::to_string(seqs.back()));
    }
    seqs.push_back(name->seq);
  }
  return seqs;
}

std::optional<uint64_t> first_missing(const std::vector<uint64_t>& seqs) {
  for (size_t i = 1; i < seqs.size(); ++i) {
    if (seqs[i] != seqs[i - 1] + 1) return seqs[i - 1] + 1;
  }
  return std::nullopt;
}

std::string expired_mark_contents(uint64_t last_expired_seq) {
  return std::to_string(last_expired_seq) + "\n";
}

std::optional<uint64_t> parse_expired_mark(std::string_view text) {
  if (!text.ends_with('\n')) return std::nullopt;
  text.remove_suffix(1);
  uint64_t seq = 0;
  if (!text::parse_number(text, seq)) return std::nullopt;
  return seq;
}

std::string CustomerConfig::folder() const {
  return folder_name(account_id, config_id);
}

}  // namespace lj::lumberjack
