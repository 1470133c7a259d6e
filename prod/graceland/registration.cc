#include "prod/graceland/registration.h"

namespace lj::graceland {

Task<void> keep_graceland_registered(Coordinator& coordinator, Clock& clock,
                                     lumberjack::ZkLayout layout, std::string pop,
                                     std::string address, const bool& stop, LogSink log) {
  const std::string path = layout.graceland(pop);
  while (!stop) {
    auto session = co_await coordinator.connect(std::chrono::seconds(6), std::chrono::seconds(5));
    if (!session.ok()) {
      log(LogLevel::kWarn, "zookeeper: " + session.error().to_string());
      co_await clock.sleep_for(std::chrono::seconds(1));
      continue;
    }
    CoordinatorSession& zk = **session;
    bool registered = false;
    while (!stop && zk.state() != SessionState::kExpired) {
      if (!registered) {
        Status folder = co_await create_path(zk, layout.gracelands());
        if (!folder.ok()) {
          co_await zk.wait_for_events(std::chrono::seconds(1));
          continue;
        }
        Result<std::string> created = co_await zk.create(path, address, NodeMode::kEphemeral);
        if (created.ok()) {
          registered = true;
          log(LogLevel::kInfo, "registered " + path + " = " + address);
        } else if (created.code() == ErrorCode::kAlreadyExists) {
          // Ours, if a lost reply hid our own create; else a predecessor's, still expiring.
          Result<NodeData> existing = co_await zk.get(path);
          registered = existing.ok() && existing->ephemeral_owner == zk.session_id();
        }
      }
      (void)zk.take_events();
      co_await zk.wait_for_events(std::chrono::seconds(1));
    }
    log(LogLevel::kWarn, "zookeeper session ended; registering again");
    co_await zk.close();
  }
}

}  // namespace lj::graceland
