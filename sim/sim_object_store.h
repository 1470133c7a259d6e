#pragma once
// SimObjectStore: the simulated central object store (prod/io/object_store.h). A service beside
// the nodes, not on any node's disk: it survives every node crash, and objects() is the truth
// a checker reads.
//
// Each node calls it through client(node), an ObjectStore whose calls behave as requests over a
// network:
//  - A request arrives after a latency drawn from the simulation's generator (mostly small,
//    sometimes heavy-tailed; uploads also pay size over bandwidth), is applied at that one
//    instant - a put is atomic - and the answer arrives after another such latency.
//  - A request lands once its last byte has left the caller, even if the caller dies after
//    that; a power loss before then cuts it. The answer is tagged with the caller's
//    incarnation, so no destroyed coroutine frame is ever resumed.
//  - Faults, switched by methods (and faults() for the numbers):
//      set_failure_rate(p): a call fails with kUnavailable with probability p; put, rename and
//        remove fail half of those times AFTER being applied ("may or may not have been
//        applied"), and the caller cannot tell which from the error.
//      set_slow(true): uploads take seconds.
//      set_available(false): every request that arrives fails with kUnavailable, unapplied.
//      set_paused(true): a SIGSTOPped server - requests arrive and wait, unanswered, until it
//        resumes; then each is applied and answered. Callers find out only by their deadlines.
//      set_powered(false): the store's host loses power. A request applied before the cut
//        stays applied (put and rename are durable on ok, the contract), each atomically; a
//        request sent before the cut that had not arrived by then (its connection died with the
//        host), held by a pause, or sent while the power is off is lost, never applied; and no
//        answer comes - neither for those nor for requests applied whose answer had not left -
//        until the power is back: then each caller still waiting hears its connection reset
//        (kUnavailable, "may have been applied", as the real client says). Callers with shorter
//        deadlines find out by them.
//      faults().stale_list_probability: a list is answered from the names of up to a second
//        ago (a replica behind, a listing cache): new objects missing, removed ones present.
//  - Stricter than the contract, as the real backends are: an object cannot be where a folder
//    is needed, nor a folder where an object is (put or rename of "a/b" while "a" is an object,
//    or of "a" while "a/b" exists) - kAlreadyExists, as a directory store and WebDAV refuse it.
//  - list("") lists the top folder.
//  - Bucket-shaped (set_bucket_shaped(true), S3's shape): the nodes' ObjectStore is then the
//    production BucketObjectStore over bucket(node) (prod/storage/bucket_object_store.h), so a
//    rename is three requests - exists, copy, remove - each with its own latency, faults and
//    crash window, and two renames can race between the check and the copy. A bucket has no
//    folders ("a" and "a/b" may both be objects). Its copy is one more change watchers see.
// Deterministic: ordered containers only, virtual time only, every draw from the Simulation.
//
// REQUIRES: outlives every process that uses a client, and is not used after the Simulation is
// destroyed (declare it after the Simulation).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prod/io/object_bucket.h"
#include "prod/io/object_store.h"
#include "sim/simulation.h"

namespace lj::sim {

struct ObjectStoreFaults {
  // Each way. A store's PUT is acknowledged once its bytes are durable on the store's own disks
  // (a WebDAV server that fsyncs, an object store that replicates): milliseconds to tens of
  // them, not the network's round trip alone.
  int64_t min_latency_ns = 2'000'000;
  int64_t max_latency_ns = 40'000'000;
  double spike_probability = 0.01;  // a heavy-tailed (Pareto) delay on top
  int64_t spike_scale_ns = 10'000'000;
  int64_t max_spike_ns = 20'000'000'000;
  int64_t bandwidth_bytes_per_s = 200'000'000;
  double failure_rate = 0;
  // Slow uploads: a put takes slow_upload_min_ns..slow_upload_max_ns plus its size over
  // slow_bandwidth_bytes_per_s.
  bool slow = false;
  int64_t slow_upload_min_ns = 1'000'000'000;
  int64_t slow_upload_max_ns = 8'000'000'000;
  int64_t slow_bandwidth_bytes_per_s = 1'000'000;
  bool available = true;
  bool paused = false;
  bool powered = true;
  double stale_list_probability = 0;
};

class SimNode;

class SimObjectStore {
 public:
  explicit SimObjectStore(Simulation& simulation);
  ~SimObjectStore();
  SimObjectStore(const SimObjectStore&) = delete;
  SimObjectStore& operator=(const SimObjectStore&) = delete;

  // The store as `node`'s processes see it. The same object for every incarnation of the node.
  ObjectStore& client(SimNode& node);
  // The store as a bucket (S3's shape), as `node` sees it.
  ObjectBucket& bucket(SimNode& node);
  // REQUIRES: before the first client().
  void set_bucket_shaped(bool shaped) { bucket_shaped_ = shaped; }
  bool bucket_shaped() const { return bucket_shaped_; }

  void set_failure_rate(double rate) { faults_.failure_rate = rate; }
  void set_slow(bool slow) { faults_.slow = slow; }
  void set_available(bool available) { faults_.available = available; }
  void set_paused(bool paused);
  void set_powered(bool powered);
  ObjectStoreFaults& faults() { return faults_; }

  // The store's contents now, for checkers: read synchronously, no latency, no faults.
  const std::map<std::string, std::string>& objects() const { return objects_; }
  // Requests applied so far (including those whose answer was then failed or lost).
  uint64_t applied_count() const { return applied_count_; }

  // A change the store is about to apply (objects() still shows the state before it), for
  // the checker's monitors. `contents`: what a put writes, or the object a rename moves or a
  // copy copies (a bucket's copy: `name` is its source, `to` its target, which it replaces).
  // `sent_ns` and `sender_incarnation`: when the request left its caller (true time) and which
  // incarnation of the node sent it (requests land after their sender died, or even restarted).
  enum class ChangeKind { kPut, kRename, kRemove, kCopy };
  struct Change {
    ChangeKind kind;
    NodeId node;
    const std::string& name;  // the object written or removed, or the rename's source
    const std::string& to;    // the rename's target
    const std::string& contents;
    int64_t sent_ns;
    uint64_t sender_incarnation;
    // A copy onto an object that holds these very bytes already (a second publisher's).
    bool same_as_before = false;
    // The object this change writes: a rename's or copy's target, a put's name.
    const std::string& written() const {
      return kind == ChangeKind::kRename || kind == ChangeKind::kCopy ? to : name;
    }
  };
  void add_change_watcher(std::function<void(const Change&)> watcher) {
    watchers_.push_back(std::move(watcher));
  }

 private:
  class Client;
  class BucketClient;
  enum class Op { kPut, kGet, kRename, kRemove, kList, kExists, kCopy };
  struct Request {
    Op op;
    std::string name;  // the object, or `from`, or the folder to list
    std::string to;
    std::string contents;
    int64_t sent_ns = 0;  // set by call()
    uint64_t incarnation = 0;
    bool bucket = false;  // a bucket's request: no folders to respect
  };
  struct Reply {
    Status status;
    std::string contents;
    std::vector<std::string> names;
    bool exists = false;
  };

  // Answers a caller whose request or answer the power took: a reset once the power is back.
  void answer_cut_off(NodeId node, uint64_t incarnation, std::function<void(Reply)> resume);
  Task<Reply> call(SimNode& node, Request request);
  Reply arrive(NodeId node, const Request& request);
  Reply apply(NodeId node, const Request& request);
  Status check_can_hold_object(const std::string& name) const;
  int64_t draw_latency_ns(uint64_t bytes);
  struct Upload {
    int64_t transmit_ns = 0;   // until its last byte has left the caller
    int64_t propagate_ns = 0;  // then until it arrives
  };
  Upload draw_upload(const Request& request);

  Simulation& simulation_;
  ObjectStoreFaults faults_;
  std::map<std::string, std::string> objects_;
  // Stale listings: the names as they were at stale_names_taken_ns_ (at most a second ago).
  std::vector<std::string> stale_names_;
  int64_t stale_names_taken_ns_ = -1;
  void before_change();
  std::map<NodeId, std::unique_ptr<ObjectStore>> clients_;
  std::map<NodeId, std::unique_ptr<BucketClient>> buckets_;
  bool bucket_shaped_ = false;
  uint64_t applied_count_ = 0;
  std::vector<std::function<void(const Change&)>> watchers_;
  std::vector<std::function<void()>> held_;  // requests that arrived while paused, in order
  std::vector<int64_t>
      power_cuts_ns_;  // when each power loss began: an answer not out by then is lost
  std::vector<std::function<void()>> cut_off_;  // callers the power left waiting: reset at power-on
  void notify(ChangeKind kind, NodeId node, const Request& request,
              const std::string& contents) const;
};

}  // namespace lj::sim
