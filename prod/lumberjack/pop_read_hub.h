#pragma once
// PopReadHub: a worker's reads of the PoPs, shared by every customer pipeline it runs. One
// connection per PoP, and the reads pipelines ask for while a round trip is out travel together
// in the next kReadMany (prod/graceland/read_many.h): a worker's connections and round trips per
// PoP do not grow with its customers (issue 15), only the bytes it reads do.
//
// Invariants:
//  - Every read asked for is answered exactly once: its batch, its own error, or the error of
//    the round trip it travelled in. Never twice, never dropped.
//  - At most one round trip per PoP is out at a time, on that PoP's one connection, and it ends
//    within the call timeout (GracelandClient): a silent PoP holds the reads of that PoP alone.
//  - A read the server left unread (the reply's budget was spent) goes back to the head of its
//    PoP's queue and travels in the next round trip, before any read asked later: no read waits
//    behind ones asked after it.
//  - After a round trip fails, the connection is dropped: the next one starts on a new one.
//  - The tasks own the state they touch: a worker may drop its hub while a round trip is out.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "prod/graceland/graceland_client.h"
#include "prod/io/env.h"

namespace lj::lumberjack {

class PopReadHub {
 public:
  using Done = std::function<void(Result<graceland::ReadBatch>)>;

  // `reply_budget`: about how many bytes of records one round trip brings back.
  PopReadHub(const Env& env, std::string client_name, Duration call_timeout,
             uint32_t reply_budget = graceland::kMaxReadManyBudget);
  ~PopReadHub();
  PopReadHub(const PopReadHub&) = delete;
  PopReadHub& operator=(const PopReadHub&) = delete;

  // Reads `request` from PoP `pop`, whose Graceland is at `address`; `done` gets the answer,
  // never before this call returns.
  void read(const std::string& pop, const std::string& address, graceland::ReadRequest request,
            Done done);
  // Connections open now (at most one per PoP).
  size_t connections() const;
  // kReadMany round trips sent so far, over every PoP.
  uint64_t round_trips() const;
  // Per PoP asked so far: whether its last connection or round trip succeeded (a PoP whose
  // first call is still out is not listed).
  std::map<std::string, bool> reachable() const;

 private:
  struct Shared;
  static Task<void> drain(Env env, std::shared_ptr<Shared> shared, std::string pop);

  Env env_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace lj::lumberjack
