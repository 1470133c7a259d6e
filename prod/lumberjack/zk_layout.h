#pragma once
// Where Lumberjack keeps its state in ZooKeeper. One root per cluster (default "/lj").
//   <root>/customers/<account>     CustomerConfig           written by `lj ctl`
//   <root>/checkpoints/<account>   Checkpoint               compare-and-set by the assigned worker
//   <root>/assignments/<account>   the worker id            written by the master only
//   <root>/workers/<worker id>     ephemeral: node name     one per live Lumberjack session
//   <root>/election/n_<seq>        ephemeral sequential     the lowest is the master
//   <root>/gracelands/<pop>        ephemeral: host:port     each Graceland registers itself
//   <root>/master                  ephemeral: worker id     the current master, for `lj ctl status`
//   <root>/drained/<node name>     persistent, empty        `lj ctl drain`: the master gives that
//                                                           node's workers no customers
//   <root>/loads/<worker id>       ephemeral: LoadReport    each worker's measured events/s per
//                                                           customer, which the master balances by
//   <root>/pushed/<account>        PushCursor               which files the customer's push
//                                                           destination has; fenced, by its owner
//   <root>/push-errors/<account>   ephemeral: the error     while the customer's destination fails
//                                                           (for `lj ctl status`), by its owner
//   <root>/push-challenges/<account>  PushChallenge      the ownership check written to a new
//                                                           destination (its token's hash), by its
//                                                           owner

#include <string>

namespace lj::lumberjack {

struct ZkLayout {
  std::string root = "/lj";
  std::string customers() const { return root + "/customers"; }
  std::string checkpoints() const { return root + "/checkpoints"; }
  std::string assignments() const { return root + "/assignments"; }
  std::string workers() const { return root + "/workers"; }
  std::string election() const { return root + "/election"; }
  std::string gracelands() const { return root + "/gracelands"; }
  std::string master() const { return root + "/master"; }
  std::string drained() const { return root + "/drained"; }
  std::string loads() const { return root + "/loads"; }
  std::string pushed() const { return root + "/pushed"; }
  std::string pushed_cursor(const std::string& account) const { return pushed() + "/" + account; }
  std::string push_errors() const { return root + "/push-errors"; }
  std::string push_error(const std::string& account) const { return push_errors() + "/" + account; }
  std::string push_challenges() const { return root + "/push-challenges"; }
  std::string push_challenge(const std::string& account) const {
    return push_challenges() + "/" + account;
  }
  std::string load(const std::string& worker_id) const { return loads() + "/" + worker_id; }
  std::string drained_node(const std::string& name) const { return drained() + "/" + name; }
  std::string customer(const std::string& account) const { return customers() + "/" + account; }
  std::string checkpoint(const std::string& account) const { return checkpoints() + "/" + account; }
  std::string assignment(const std::string& account) const { return assignments() + "/" + account; }
  std::string worker(const std::string& id) const { return workers() + "/" + id; }
  std::string graceland(const std::string& pop) const { return gracelands() + "/" + pop; }
};

}  // namespace lj::lumberjack
