#include "prod/io/create_once.h"

namespace lj {
namespace {

// One attempt. `retrying`: an earlier attempt went unanswered, so it may have landed.
Task<Status> attempt_create(CoordinatorSession& session, const std::string& path,
                            const std::string& data, bool retrying) {
  Result<std::string> created = co_await session.create(path, data, NodeMode::kPersistent);
  const size_t slash = path.rfind('/');
  if (!created.ok() && created.code() == ErrorCode::kNotFound && slash != 0 &&
      slash != std::string::npos) {
    // The first of its folder: the ancestors, then the node (one round trip when they exist).
    if (Status parent = co_await create_path(session, path.substr(0, slash)); !parent.ok())
      co_return parent;
    created = co_await session.create(path, data, NodeMode::kPersistent);
  }
  if (created.ok() || created.code() != ErrorCode::kAlreadyExists || !retrying)
    co_return created.status();
  // Exists, after an attempt whose answer was lost: ours if it holds exactly what we sent.
  Result<NodeData> landed = co_await session.get(path);
  if (!landed.ok()) co_return landed.status();
  if (landed->data == data) co_return Status();
  co_return created.status();
}

}  // namespace

Task<Status> create_once(CoordinatorSession& session, Clock& clock, std::string path,
                         std::string data, CreateOnceOptions options) {
  Duration backoff = options.first_backoff;
  Status last(Error(ErrorCode::kUnavailable, "create " + path + ": no attempt made"));
  for (int attempt = 0; attempt < options.attempts; ++attempt) {
    if (attempt > 0) {
      co_await clock.sleep_for(backoff);
      backoff *= 2;
    }
    last = co_await attempt_create(session, path, data, attempt > 0);
    if (last.ok() || last.code() != ErrorCode::kUnavailable) co_return last;
  }
  co_return last;
}

}  // namespace lj
