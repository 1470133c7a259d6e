#pragma once
// Who a process is to ZooKeeper, and what each role may do there (`--zk-auth FILE`, taken by
// lj ctl, lumberjack and graceland). The file:
//
//   credential USER:PASSWORD            this process's digest credential (its role's user)
//   role operator USER:DIGEST           the digest id of every role: base64(sha1(USER:PASSWORD))
//   role lumberjack USER:DIGEST
//   role graceland USER:DIGEST
//
// Lines starting with '#' and blank lines are skipped. The file holds a password: keep it 0600.
//
// Every node a process creates gets the ACL of its place in the layout (zk_acl_for):
//   customers (keys, password hashes)    operator: all     lumberjack: read    graceland: -
//   checkpoints, assignments, pushed     operator: all     lumberjack: read, write, create, delete
//   push-errors                          operator: all     lumberjack: read, write, create, delete
//   workers, election, master            operator: all     lumberjack: read, write, create, delete
//   gracelands (registrations)           operator: all     lumberjack: read    graceland: r/w/c/d
//   drained                              operator: all     lumberjack: read
//   the root and its ancestors           operator: all     lumberjack, graceland: read, create
//   anything else under the root         operator: all     lumberjack: read
// Nobody else may read or write anything. Gracelands share one role, so one Graceland could
// replace another's registration (not its data: it reaches no customer or checkpoint).

#include <string>
#include <vector>

#include "prod/io/result.h"
#include "prod/lumberjack/zk_layout.h"
#include "prod/real/zk_coordinator.h"

namespace lj::cmd {

struct ZkRoleIds {
  std::string operator_id;  // "USER:DIGEST"
  std::string lumberjack_id;
  std::string graceland_id;
};

struct ZkAuthFile {
  std::string credential;  // "USER:PASSWORD"
  ZkRoleIds roles;
};

// kInvalidArgument naming the line for anything malformed or missing.
Result<ZkAuthFile> parse_zk_auth_file(std::string_view text);
Result<ZkAuthFile> load_zk_auth_file(const std::string& path);

std::vector<ZkAclEntry> zk_acl_for(const lumberjack::ZkLayout& layout, const ZkRoleIds& roles,
                                   const std::string& path);

// The ZkAccess for a process: its credential, and the layout's ACLs. Empty path: anonymous,
// open ACLs (a cluster without authentication).
Result<ZkAccess> zk_access(const std::string& auth_file, const lumberjack::ZkLayout& layout);

}  // namespace lj::cmd
