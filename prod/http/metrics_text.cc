#include "prod/http/metrics_text.h"

#include <charconv>
#include <cmath>

#include "prod/io/invariant.h"

namespace lj {

namespace {

bool name_char(char c, bool first, bool colon_allowed) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return letter || (!first && digit) || (colon_allowed && c == ':');
}

bool valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon_allowed)) return false;
  }
  return true;
}

// `\` and newline always; `"` inside label values only (the format's two escaping rules).
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

const char* type_name(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

}  // namespace

std::string metric_value_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (value == std::floor(value) && std::fabs(value) < kExactIntegers)
    return std::to_string(static_cast<int64_t>(value));
  char buffer[64];
  const std::to_chars_result written = std::to_chars(buffer, buffer + sizeof(buffer), value);
  LJ_ASSERT(written.ec == std::errc());
  return std::string(buffer, written.ptr);
}

void MetricsText::family(std::string_view name, MetricType type, std::string_view help) {
  LJ_ASSERT(valid_name(name, true));
  const bool fresh = declared_.emplace(name).second;
  LJ_ASSERT(fresh);  // one family, one HELP and TYPE: a repeat is a scraper's parse error
  current_ = std::string(name);
  out_ += "# HELP " + current_ + " " + escaped(help, false) + "\n# TYPE " + current_ + " " +
          type_name(type) + "\n";
}

void MetricsText::sample(const Labels& labels, double value) {
  LJ_ASSERT(!current_.empty());
  out_ += current_;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      LJ_ASSERT(valid_name(labels[i].first, false));
      out_ += (i > 0 ? "," : "") + std::string(labels[i].first) + "=\"" +
              escaped(labels[i].second, true) + "\"";
    }
    out_ += '}';
  }
  out_ += " " + metric_value_text(value) + "\n";
}

void MetricsText::counter(std::string_view name, std::string_view help, uint64_t value) {
  family(name, MetricType::kCounter, help);
  out_ += current_ + " " + std::to_string(value) + "\n";  // exact past 2^53 too
}

void MetricsText::gauge(std::string_view name, std::string_view help, double value) {
  family(name, MetricType::kGauge, help);
  sample({}, value);
}

}  // namespace lj
