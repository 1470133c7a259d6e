#include "prod/logfile/log_file_format.h"

#include <charconv>

#include "prod/io/invariant.h"

namespace lj {

std::string_view log_format_name(LogFormat format) {
  switch (format) {
    case LogFormat::kCef:
      return "CEF";
    case LogFormat::kW3c:
      return "W3C";
    case LogFormat::kLeef:
      return "LEEF";
    case LogFormat::kJson:
      return "JSON";
  }
  invariant_failed("a LogFormat in range", __FILE__, __LINE__);
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  for (LogFormat format : {LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef, LogFormat::kJson}) {
    if (name == log_format_name(format)) return format;
  }
  return std::nullopt;
}

std::string log_file_name(uint64_t account_id, uint64_t seq) {
  LJ_ASSERT(seq >= 1);
  return std::to_string(account_id) + "_" + std::to_string(seq) + ".log";
}

std::optional<LogFileName> parse_log_file_name(std::string_view name) {
  constexpr std::string_view kSuffix = ".log";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  name.remove_suffix(kSuffix.size());
  const size_t underscore = name.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view text, uint64_t& value) {
    if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
  };
  LogFileName parsed;
  if (!number(name.substr(0, underscore), parsed.account_id) ||
      !number(name.substr(underscore + 1), parsed.seq) || parsed.seq == 0) {
    return std::nullopt;
  }
  return parsed;
}

}  // namespace lj
