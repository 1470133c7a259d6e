#pragma once
// StreamDestination: a pushed customer's syslog collector in the simulated world
// (PushedCustomers), as the pusher reaches it through the seam.
//   A put is what the real one sends (delivery/push_payloads.h, the production code: the
//   file read with the cluster's push key, each event one octet-counted message), delivered as
//   one session: "<folder>/stream/<session>-1" and, when the session is cut, "-2", each a put to
//   the destinations' store with all its faults. The cut is drawn at a message boundary: a
//   session the collector reset mid-way delivered the messages before the cut, and the put
//   fails though they landed. An acknowledged put landed whole; a failed one landed whole, a
//   prefix, or nothing - as TCP gives a real collector.

#include <functional>
#include <string>

#include "prod/io/object_store.h"
#include "prod/io/push_destination.h"
#include "prod/io/random.h"
#include "prod/logfile/rsa_keys.h"

namespace lj::sim {

class StreamDestination final : public PushDestination {
 public:
  // `next_session` numbers sessions across every node; `cuts` draws where they are cut. Both
  // belong to the world, as the collector does.
  StreamDestination(ObjectStore& store, std::string folder, const RsaPrivateKey& push_key,
                    std::function<uint64_t()> next_session, Random& cuts);
  Task<Status> put(const std::string& name, std::string contents) override;

  // "<folder>/stream/": where a collector's sessions are.
  static std::string sessions_prefix(const std::string& folder) { return folder + "/stream/"; }

 private:
  ObjectStore& store_;
  std::string folder_;
  const RsaPrivateKey& push_key_;
  std::function<uint64_t()> next_session_;
  Random& cuts_;
};

}  // namespace lj::sim
