#pragma once
// MetricsText: the Prometheus text exposition format (version 0.0.4), written one family at a
// time: its HELP and TYPE lines once, then its samples. What every daemon's /metrics serves
// (prod/http/metrics_endpoint.h).
//
// Invariants (programmer errors, asserted): names are Prometheus metric or label names
// ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':'); a family is declared once per text; a sample
// belongs to the family declared last. Label values are escaped (\\, \", \n) and help text too
// (\\, \n), so a name from outside (a PoP's, a customer's) never breaks the text.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lj {

enum class MetricType { kCounter, kGauge };

class MetricsText {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string>>;

  // A family of one sample without labels.
  void counter(std::string_view name, std::string_view help, uint64_t value);
  void gauge(std::string_view name, std::string_view help, double value);
  // A family whose samples (labelled) follow: sample() each.
  void family(std::string_view name, MetricType type, std::string_view help);
  void sample(const Labels& labels, double value);

  const std::string& text() const { return out_; }

 private:
  std::string out_;
  std::string current_;             // the family samples go to
  std::set<std::string> declared_;  // every family so far
};

// A sample's value as the format writes it: integers exactly (up to 2^53), others in the
// shortest form that reads back to the same double, NaN and +Inf/-Inf by name.
std::string metric_value_text(double value);

}  // namespace lj
