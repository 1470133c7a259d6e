#include "prod/lumberjack/drain.h"

#include <algorithm>

namespace lj::lumberjack {

Task<Status> set_drained(CoordinatorSession& session, const ZkLayout& layout,
                         const std::string& name, bool drained) {
  const std::string path = layout.drained_node(name);
  if (!drained) {
    Status removed = co_await session.remove(path);
    co_return removed.ok() || removed.code() == ErrorCode::kNotFound ? Status() : removed;
  }
  const std::string folder = layout.drained();
  if (Status s = co_await create_path(session, folder); !s.ok()) co_return s;
  const std::string empty;
  Result<std::string> created = co_await session.create(path, empty, NodeMode::kPersistent);
  co_return created.ok() || created.code() == ErrorCode::kAlreadyExists ? Status()
                                                                        : created.status();
}

std::string worker_node_name(const std::string& worker_id) {
  const size_t dash = worker_id.rfind('-');
  return dash == std::string::npos ? worker_id : worker_id.substr(0, dash);
}

std::vector<std::string> serving_workers(const std::vector<std::string>& workers,
                                         const std::vector<std::string>& drained_nodes) {
  std::vector<std::string> serving;
  for (const std::string& worker : workers) {
    const std::string node = worker_node_name(worker);
    if (std::find(drained_nodes.begin(), drained_nodes.end(), node) == drained_nodes.end())
      serving.push_back(worker);
  }
  return serving.empty() ? workers : serving;
}

}  // namespace lj::lumberjack
