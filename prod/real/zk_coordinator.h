#pragma once
// ZkCoordinator: the Coordinator seam on the ZooKeeper C client (libzookeeper_mt).
//
// Threads: the C client runs its own I/O and completion threads; every completion and watch
// callback is marshalled onto the runtime's loop thread and resumes the awaiting coroutine
// there, so the logic above stays single-threaded. Each operation's outcome lives in a state
// shared by the completion and the awaiting coroutine: a session destroyed with operations in
// flight resumes their callers with kCancelled (the client's ZCLOSING), and a caller whose
// frame was destroyed is simply not resumed.
//
// Errors (beyond the seam's contract): a malformed path (ZBADARGUMENTS) or a child under an
// ephemeral (ZNOCHILDRENFOREPHEMERALS) is kInvalidArgument; data over kMaxNodeBytes is
// kTooLarge without asking the service; an operation on a closed session is kSessionExpired;
// one cut short by close() or by destroying the session is kCancelled.
// Events: kSession events are pushed for every change after connect() returned
// (connected -> disconnected -> connected, or -> expired); connect() itself pushes none.
// Access (ZkAccess): every session authenticates with the digest credential, and every node
// this process creates gets the ACL acl_for(path) names; an operation the ACLs refuse
// (ZNOAUTH), or a credential the service rejects, is kPermissionDenied.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"

namespace lj {

class RealRuntime;

// One ACL entry: `perms` of ZooKeeper's (read 1, write 2, create 4, delete 8, admin 16) for an
// id of a scheme ("digest", "user:base64(sha1(user:password))"; "world", "anyone").
struct ZkAclEntry {
  int32_t perms = 0;
  std::string scheme;
  std::string id;
};
inline constexpr int32_t kZkRead = 1, kZkWrite = 2, kZkCreate = 4, kZkDelete = 8, kZkAdmin = 16;
inline constexpr int32_t kZkAll = kZkRead | kZkWrite | kZkCreate | kZkDelete | kZkAdmin;

struct ZkAccess {
  std::string digest_credential;  // "user:password"; empty: anonymous
  // The ACL of a node this process creates; empty function: open to anyone (world:anyone).
  std::function<std::vector<ZkAclEntry>(const std::string& path)> acl_for;
};

class ZkCoordinator final : public Coordinator {
 public:
  // `hosts`: "127.0.0.1:2181,127.0.0.1:2182". The client's own log (errors only) is dropped
  // unless `client_log` is set, then it goes to stderr.
  ZkCoordinator(std::string hosts, RealRuntime& runtime, bool client_log = false,
                ZkAccess access = {});

  Task<Result<std::unique_ptr<CoordinatorSession>>> connect(Duration session_timeout,
                                                            Duration connect_timeout) override;

  // For tests: has the service expire `session` (which this coordinator opened) the way it
  // would after its timeout: its ephemerals go and others' watches fire at once; `session`
  // hears of it when it reaches the service again. How: the session's handle is pointed at
  // a dead port, a second handle opens the session's id and closes it (until the service
  // refuses the id as expired), then the handle is pointed back. REQUIRES: `session`
  // outlives the call.
  Task<Status> expire_for_testing(CoordinatorSession& session);

 private:
  std::string hosts_;
  RealRuntime& runtime_;
  bool client_log_;
  std::shared_ptr<const ZkAccess> access_;  // shared with the sessions
};

}  // namespace lj
