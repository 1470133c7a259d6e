#pragma once
// Events/s per customer, as a worker measures them for its load report: sampled from the
// cumulative events each customer's pipeline published, smoothed (an exponential moving
// average) so one burst does not move customers. A customer's rate is reported only once it
// was measured over a whole interval: a pipeline that has just started looks idle, and the
// master would pile work on its worker.

#include <cstdint>
#include <map>
#include <optional>

#include "prod/io/clock.h"
#include "prod/lumberjack/load_report.h"

namespace lj::lumberjack {

class LoadMeter {
 public:
  // `smoothing`: the weight of the newest interval, in (0, 1].
  explicit LoadMeter(double smoothing = 0.5);

  // `published`: account -> events its current pipeline has published so far. A count lower
  // than the last one is a new pipeline: that customer's measurement starts over. Customers
  // absent are forgotten.
  void sample(Duration now, const std::map<uint64_t, uint64_t>& published);
  LoadReport report() const;
  double total() const;  // events/s, every reported customer

 private:
  struct Customer {
    uint64_t published = 0;
    Duration at{0};
    std::optional<double> rate;
  };
  double smoothing_;
  std::map<uint64_t, Customer> customers_;
};

}  // namespace lj::lumberjack
