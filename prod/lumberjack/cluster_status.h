#pragma once
// What `lj ctl status` found, and its two renderings: the text lines operators read, and
// `--json` for scripts (one object; every name below is a key, absent values are null).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lj {

// A pushed customer's destination, as its cursor and its owner say.
struct PushState {
  std::string url;
  std::optional<uint64_t> pushed_through;  // none: no cursor for this url yet
  std::optional<uint64_t> lag_files;       // committed files its destination does not have
  std::optional<std::string> failing;      // the owner's last error while it fails
  bool confirmed = true;                   // its owner confirmed it (push_challenge.h)
  bool challenge_written = false;          // while unconfirmed: the ownership check is there
};

struct CustomerState {
  std::string account;
  std::optional<std::string> worker;  // none: unassigned
  std::string problem;                // "no checkpoint yet", "checkpoint UNREADABLE: ..."
  uint64_t files = 0;                 // committed
  uint64_t checkpoint_bytes = 0;
  // Per PoP: "caught-up", "lag=<n>B", "lag=<n>seg" or "store-replaced(rereading)".
  std::vector<std::pair<std::string, std::string>> pops;
  std::optional<PushState> push;
};

struct WorkerLoad {
  std::string worker;
  std::optional<int64_t> events_per_s;  // none: its report does not decode
  uint64_t customers = 0;
};

struct GracelandState {
  std::string pop;
  std::string address;
  std::optional<std::string> unreachable;
};

struct ClusterStatus {
  std::optional<std::string> master;
  std::vector<std::string> workers;
  std::vector<WorkerLoad> loads;
  std::vector<std::string> drained;
  std::vector<GracelandState> gracelands;
  std::vector<CustomerState> customers;
};

std::string status_text(const ClusterStatus& status);
std::string status_json(const ClusterStatus& status);
// " push=URL pushed_through=N push_lag_files=M [PUSH FAILING: error]" (also `lj ctl list`'s).
std::string push_text(const PushState& push);

}  // namespace lj
