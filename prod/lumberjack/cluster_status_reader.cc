#include "prod/lumberjack/cluster_status_reader.h"

#include <algorithm>
#include <cmath>

#include "prod/graceland/graceland_client.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/load_report.h"
#include "prod/lumberjack/push_challenge.h"
#include "prod/lumberjack/push_cursor.h"

namespace lj {

using lumberjack::CustomerConfig;

Task<PushState> read_push_state(CoordinatorSession& zk, const lumberjack::ZkLayout& layout,
                                const std::string& account, const CustomerConfig& config,
                                std::optional<uint64_t> committed) {
  const std::string& url = config.push.url;
  PushState push{url, std::nullopt, std::nullopt, std::nullopt};
  push.confirmed = config.push_confirmed;
  if (!push.confirmed) {
    Result<NodeData> challenge_node = co_await zk.get(layout.push_challenge(account));
    Result<lumberjack::PushChallenge> challenge =
        challenge_node.ok() ? lumberjack::PushChallenge::decode(challenge_node->data)
                            : Result<lumberjack::PushChallenge>(challenge_node.error());
    push.challenge_written = challenge.ok() && challenge->url == url;
  }
  Result<NodeData> node = co_await zk.get(layout.pushed_cursor(account));
  Result<lumberjack::PushCursor> cursor = node.ok() ? lumberjack::PushCursor::decode(node->data)
                                                    : Result<lumberjack::PushCursor>(node.error());
  if (cursor.ok() && cursor->url == url) {
    push.pushed_through = cursor->through;
    if (committed) push.lag_files = *committed > cursor->through ? *committed - cursor->through : 0;
  }
  Result<NodeData> error = co_await zk.get(layout.push_error(account));
  if (error.ok()) push.failing = error->data;
  co_return push;
}

namespace {

// The customer's line: its worker, files, lag per PoP (`extents`: what each Graceland holds),
// and its push destination.
Task<CustomerState> read_customer_state(
    CoordinatorSession& zk, const lumberjack::ZkLayout& layout, const std::string& account,
    const std::map<std::string, std::map<std::string, graceland::AccountExtent>>& extents,
    const std::map<std::string, uint64_t>& store_ids) {
  CustomerState state;
  state.account = account;
  Result<NodeData> assignment = co_await zk.get(layout.assignment(account));
  if (assignment.ok()) state.worker = assignment->data;
  Result<NodeData> checkpoint_node = co_await zk.get(layout.checkpoint(account));
  if (!checkpoint_node.ok()) {
    state.problem = "no checkpoint yet";
    co_return state;
  }
  Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(checkpoint_node->data);
  if (!checkpoint.ok()) {
    state.problem = "checkpoint UNREADABLE: " + checkpoint.error().to_string();
    co_return state;
  }
  state.files = checkpoint->next_seq - 1;
  state.checkpoint_bytes = checkpoint_node->data.size();
  for (const auto& [pop, by_account] : extents) {
    auto extent = by_account.find(account);
    if (extent == by_account.end()) continue;
    const lumberjack::PopCursor cursor =
        checkpoint->pops.contains(pop) ? checkpoint->pops.at(pop) : lumberjack::PopCursor{};
    const auto at = cursor.position;
    const auto end = extent->second.end;
    std::string lag;
    if (cursor.store_id != 0 && cursor.store_id != store_ids.at(pop))
      lag = "store-replaced(rereading)";
    else if (at >= end)
      lag = "caught-up";
    else if (at.file_index == end.file_index)
      lag = "lag=" + std::to_string(end.offset - at.offset) + "B";
    else
      lag = "lag=" +
            std::to_string(end.file_index -
                           std::max(at.file_index, extent->second.first.file_index)) +
            "seg";
    state.pops.emplace_back(pop, lag);
  }
  Result<NodeData> config_node = co_await zk.get(layout.customer(account));
  Result<CustomerConfig> config = config_node.ok() ? CustomerConfig::decode(config_node->data)
                                                   : Result<CustomerConfig>(config_node.error());
  if (config.ok() && !config->push.url.empty()) {
    state.push = co_await read_push_state(zk, layout, account, *config, state.files);
  }
  co_return state;
}

}  // namespace

Task<ClusterStatus> read_cluster_status(CoordinatorSession& zk, const Env& env,
                                        const lumberjack::ZkLayout& layout,
                                        const std::string& who) {
  ClusterStatus status;
  Result<NodeData> master = co_await zk.get(layout.master());
  if (master.ok()) status.master = master->data;
  Result<std::vector<std::string>> workers = co_await zk.children(layout.workers());
  if (workers.ok()) status.workers = *workers;
  // What each worker last reported to the master: events/s and customers measured.
  Result<std::vector<std::string>> reporters = co_await zk.children(layout.loads());
  // (Named, not a temporary in the loop's head: GCC 12 and coroutine frames.)
  const std::vector<std::string> reporter_names =
      reporters.ok() ? *reporters : std::vector<std::string>{};
  for (const std::string& worker : reporter_names) {
    Result<NodeData> node = co_await zk.get(layout.load(worker));
    if (!node.ok()) continue;
    Result<lumberjack::LoadReport> report = lumberjack::decode_load_report(node->data);
    WorkerLoad load{worker, std::nullopt, 0};
    if (report.ok()) {
      double total = 0;
      for (const auto& [account, rate] : *report) total += rate;
      load.events_per_s = std::llround(total);
      load.customers = report->size();
    }
    status.loads.push_back(load);
  }
  Result<std::vector<std::string>> drained = co_await zk.children(layout.drained());
  if (drained.ok()) status.drained = *drained;
  // Each PoP's Graceland and how far each customer's checkpoint is behind it.
  std::map<std::string, std::map<std::string, graceland::AccountExtent>>
      extents;                                // pop -> account -> extent
  std::map<std::string, uint64_t> store_ids;  // pop -> its Graceland store
  Result<std::vector<std::string>> pops = co_await zk.children(layout.gracelands());
  const std::vector<std::string> pop_names = pops.ok() ? *pops : std::vector<std::string>{};
  for (const std::string& pop : pop_names) {
    Result<NodeData> address = co_await zk.get(layout.graceland(pop));
    if (!address.ok()) continue;
    GracelandState graceland{pop, address->data, std::nullopt};
    auto client = co_await graceland::GracelandClient::connect(
        env, address->data, who, graceland::GracelandClient::kDefaultCallTimeout, pop);
    if (!client.ok()) graceland.unreachable = client.error().to_string();
    status.gracelands.push_back(graceland);
    if (!client.ok()) continue;
    auto listed = co_await (*client)->list();
    if (!listed.ok()) continue;
    store_ids[pop] = listed->store_id;
    for (const auto& extent : listed->accounts) extents[pop][extent.account] = extent;
  }
  Result<std::vector<std::string>> accounts = co_await zk.children(layout.customers());
  const std::vector<std::string> account_names =
      accounts.ok() ? *accounts : std::vector<std::string>{};
  for (const std::string& account : account_names) {
    CustomerState customer = co_await read_customer_state(zk, layout, account, extents, store_ids);
    status.customers.push_back(std::move(customer));
  }
  co_return status;
}

}  // namespace lj
