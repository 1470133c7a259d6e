#include "prod/delivery/logs_index.h"

#include <string>

#include "prod/logfile/log_file_format.h"

namespace lj::delivery {

namespace {

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<uint64_t> first_missing(const std::vector<uint64_t>& seqs) {
  for (size_t i = 1; i < seqs.size(); ++i) {
    if (seqs[i] != seqs[i - 1] + 1) return seqs[i - 1] + 1;
  }
  return std::nullopt;
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

}  // namespace lj::delivery
