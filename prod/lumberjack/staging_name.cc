#include "prod/lumberjack/staging_name.h"

#include <charconv>
#include <cstdio>

#include "prod/logfile/log_file_format.h"

namespace lj::lumberjack {

namespace {

constexpr std::string_view kStagingRoot = "staging/";

template <typename T>
bool parse_whole(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

// Cuts the last ".<word>" off `text` into `word`; false if there is none.
bool cut_last_word(std::string_view& text, std::string_view& word) {
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos) return false;
  word = text.substr(dot + 1);
  text = text.substr(0, dot);
  return true;
}

}  // namespace

std::string staging_folder(const CustomerConfig& config) {
  return std::string(kStagingRoot) + config.folder();
}

std::string make_staging_name(const CustomerConfig& config, const StagingName& name) {
  char attempt[17];
  std::snprintf(attempt, sizeof attempt, "%016llx", static_cast<unsigned long long>(name.attempt));
  return staging_folder(config) + "/" + log_file_name(config.account_id, name.seq) + "." +
         name.worker_id + ".v" + std::to_string(name.checkpoint_version) + "." + attempt;
}

std::optional<StagingName> parse_staging_name(std::string_view name) {
  if (!name.starts_with(kStagingRoot)) return std::nullopt;
  const size_t slash = name.rfind('/');
  if (slash < kStagingRoot.size()) return std::nullopt;
  std::string_view rest = name.substr(slash + 1);
  std::string_view attempt, version;
  StagingName parsed;
  if (!cut_last_word(rest, attempt) || attempt.size() != 16 ||
      !parse_whole(attempt, parsed.attempt, 16)) {
    return std::nullopt;
  }
  if (!cut_last_word(rest, version) || !version.starts_with('v') ||
      !parse_whole(version.substr(1), parsed.checkpoint_version) || parsed.checkpoint_version < 0) {
    return std::nullopt;
  }
  // What is left: "<file name>.<worker id>"; the file name ends in ".log", the worker id may
  // hold dots of its own (a host name).
  const size_t log_end = rest.find(".log.");
  if (log_end == std::string_view::npos) return std::nullopt;
  const std::optional<LogFileName> file = parse_log_file_name(rest.substr(0, log_end + 4));
  parsed.worker_id = std::string(rest.substr(log_end + 5));
  if (!file || parsed.worker_id.empty()) return std::nullopt;
  parsed.account_id = file->account_id;
  parsed.seq = file->seq;
  return parsed;
}

}  // namespace lj::lumberjack
