#include "prod/io/coordinator.h"

namespace lj {

const char* session_state_name(SessionState state) {
  switch (state) {
    case SessionState::kConnecting:
      return "connecting";
    case SessionState::kConnected:
      return "connected";
    case SessionState::kDisconnected:
      return "disconnected";
    case SessionState::kExpired:
      return "expired";
  }
  return "unknown";
}

std::string join_path(const std::string& parent, const std::string& child) {
  return parent == "/" ? "/" + child : parent + "/" + child;
}

Task<Status> create_path(CoordinatorSession& session, const std::string& path) {
  // Each ancestor in turn: "/a", "/a/b", ... A concurrent creator winning the race is fine.
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = slash == std::string::npos ? path : path.substr(0, slash);
    Result<std::string> created = co_await session.create(prefix, "", NodeMode::kPersistent);
    if (!created.ok() && created.code() != ErrorCode::kAlreadyExists) co_return created.status();
    if (slash == std::string::npos) co_return Status();
  }
}

}  // namespace lj
