#include "prod/lumberjack/load_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lj::lumberjack {

namespace {

constexpr double kMaxRate = 1e9;  // events/s of one customer: far beyond any PoP fleet

Error malformed(size_t line, const std::string& what) {
  return Error(ErrorCode::kCorrupt, "load report line " + std::to_string(line) + ": " + what);
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string encode_load_report(const LoadReport& report) {
  std::string text;
  for (const auto& [account, rate] : report) {
    char line[64];
    const double bounded = std::isfinite(rate) ? std::clamp(rate, 0.0, kMaxRate) : 0.0;
    std::snprintf(line, sizeof line, "%llu %.1f\n", static_cast<unsigned long long>(account),
                  bounded);
    text += line;
  }
  return text;
}

Result<LoadReport> decode_load_report(std::string_view text) {
  if (text.size() > kMaxLoadReportBytes) return Error(ErrorCode::kCorrupt, "load report too large");
  LoadReport report;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return malformed(number, "no newline");
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    const size_t space = line.find(' ');
    uint64_t account = 0;
    double rate = 0;
    if (space == std::string_view::npos || !parse_number(line.substr(0, space), account)) {
      return malformed(number, "no account");
    }
    if (!parse_number(line.substr(space + 1), rate) || !std::isfinite(rate) || rate < 0 ||
        rate > kMaxRate) {
      return malformed(number, "bad events/s");
    }
    if (!report.empty() && account <= report.rbegin()->first)
      return malformed(number, "accounts out of order");
    report.emplace(account, rate);
  }
  return report;
}

}  // namespace lj::lumberjack
