#pragma once
// Coordinator: a ZooKeeper session, behind the seam. The real one is the ZooKeeper C client
// (prod/real/zk_coordinator.*), woken through the process's executor; the simulated one is a
// model of the service (sim/sim_zookeeper.*). Both are held to sim/conformance.
//
// Contract:
//  - Paths are absolute, '/'-separated, no trailing '/'. Data is at most kMaxNodeBytes.
//  - A session is created by Coordinator::connect(). Ephemeral nodes live as long as their
//    session. The *service* decides expiry: when it expires a session, it deletes the
//    session's ephemeral nodes and fires their watches before that client hears of it. A
//    client that was cut off learns of its expiry only when it reaches the service again.
//  - Every operation completes on the caller's executor thread. Errors:
//      kNotFound, kAlreadyExists, kVersionMismatch, kNotEmpty - the
//        service answered and applied nothing;
//      kUnavailable - connection loss: the request MAY OR MAY NOT have been applied;
//      kSessionExpired - the session is gone for good; open a new one.
//  - Versions: every node has a data version, 0 at create, +1 per set. kAnyVersion skips
//    the comparison.
//  - Watches are one-shot: a read with watch=true registers interest; the first change after
//    it fires once (into take_events()) and must be re-registered by reading again. A watch
//    registered by a session that expires never fires.
//  - Reads may be stale (served by a follower behind the leader) unless preceded by sync().
//  - multi() applies all of its ops atomically or none; on failure, the error is that of the
//    first op that failed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "prod/io/clock.h"
#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

constexpr int32_t kAnyVersion = -1;
// A stock server refuses a request over jute.maxbuffer (1 MiB) as a whole: data stays below.
constexpr size_t kMaxNodeBytes = 1'000'000;

enum class NodeMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

struct NodeData {
  std::string data;
  int32_t version = 0;
  int64_t ephemeral_owner = 0;  // the owning session's id, 0 for persistent nodes
};

enum class SessionState { kConnecting, kConnected, kDisconnected, kExpired };
const char* session_state_name(SessionState state);

// What take_events() returns: a fired watch, or a change of the session's state.
struct CoordinatorEvent {
  enum class Kind { kCreated, kDeleted, kDataChanged, kChildrenChanged, kSession };
  Kind kind;
  std::string path;                               // empty for kSession
  SessionState state = SessionState::kConnected;  // for kSession
};

// Operations of a multi().
struct CreateOp {
  std::string path;
  std::string data;
  NodeMode mode = NodeMode::kPersistent;
};
struct SetOp {
  std::string path;
  std::string data;
  int32_t version = kAnyVersion;
};
struct RemoveOp {
  std::string path;
  int32_t version = kAnyVersion;
};
struct CheckOp {
  std::string path;
  int32_t version = kAnyVersion;
};
using CoordinatorOp = std::variant<CreateOp, SetOp, RemoveOp, CheckOp>;

// On success, one entry per op, in order.
struct MultiResult {
  std::vector<std::string> created_paths;  // the created path for a CreateOp, else empty
  std::vector<int32_t> new_versions;       // the new version for a SetOp, else -1
};
// On failure of a multi: the error of the first failing op. (Its index is in the message.)

class CoordinatorSession {
 public:
  virtual ~CoordinatorSession() = default;

  virtual int64_t session_id() const = 0;
  virtual SessionState state() const = 0;

  // Returns the created path (with the sequence suffix for sequential modes: ten digits).
  virtual Task<Result<std::string>> create(const std::string& path, const std::string& data,
                                           NodeMode mode) = 0;
  virtual Task<Result<NodeData>> get(const std::string& path, bool watch = false) = 0;
  // Returns the new version.
  virtual Task<Result<int32_t>> set(const std::string& path, const std::string& data,
                                    int32_t version = kAnyVersion) = 0;
  virtual Task<Status> remove(const std::string& path, int32_t version = kAnyVersion) = 0;
  // Child names (not paths), sorted.
  virtual Task<Result<std::vector<std::string>>> children(const std::string& path,
                                                          bool watch = false) = 0;
  // The node's version if it exists, nullopt if not; a watch is set either way.
  virtual Task<Result<std::optional<int32_t>>> exists(const std::string& path,
                                                      bool watch = false) = 0;
  virtual Task<Result<MultiResult>> multi(const std::vector<CoordinatorOp>& ops) = 0;
  // After sync() returns ok, this session's reads see every write the service had applied
  // when sync() was issued.
  virtual Task<Status> sync(const std::string& path) = 0;

  // Fired watches and session-state changes since the last call, oldest first.
  virtual std::vector<CoordinatorEvent> take_events() = 0;
  // Waits until take_events() has something or `timeout` passes, whichever is first.
  virtual Task<void> wait_for_events(Duration timeout) = 0;

  // Ends the session now: its ephemeral nodes go at once. Idempotent.
  virtual Task<void> close() = 0;
};

class Coordinator {
 public:
  virtual ~Coordinator() = default;
  // Opens a new session. Fails with kUnavailable if the service cannot be reached within
  // `connect_timeout`. The service may grant a different session timeout than asked.
  virtual Task<Result<std::unique_ptr<CoordinatorSession>>> connect(Duration session_timeout,
                                                                    Duration connect_timeout) = 0;
};

// Helpers on top of the seam (prod/io/coordinator.cc).
// Creates `path` and its missing ancestors as empty persistent nodes; ok if it exists.
Task<Status> create_path(CoordinatorSession& session, const std::string& path);
std::string join_path(const std::string& parent, const std::string& child);

}  // namespace lj
