#include "prod/cmd/lj/ctl_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/cmd/common/graceland_tls.h"
#include "prod/cmd/common/new_file.h"
#include "prod/cmd/common/zk_access.h"
#include "prod/cmd/parse_number.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/create_once.h"
#include "prod/io/invariant.h"
#include "prod/logfile/leef_writer.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/cluster_status.h"
#include "prod/lumberjack/cluster_status_reader.h"
#include "prod/lumberjack/credentials.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/customer_removal.h"
#include "prod/lumberjack/drain.h"
#include "prod/lumberjack/load_report.h"
#include "prod/lumberjack/push_challenge.h"
#include "prod/lumberjack/push_cursor.h"
#include "prod/lumberjack/zk_layout.h"
#include "prod/push/https_url.h"
#include "prod/push/s3_url.h"
#include "prod/push/sftp_url.h"
#include "prod/push/syslog_url.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/zk_coordinator.h"

namespace lj {

namespace {

using lumberjack::CustomerConfig;

struct CtlFlags {
  std::string zookeeper;
  std::string zk_auth;  // --zk-auth FILE (prod/cmd/common/zk_access.h)
  lumberjack::ZkLayout layout;
  std::string verb;
  std::map<std::string, std::string> values;  // --flag value
  bool no_compress = false;
  bool allow_unencrypted = false;  // --allow-unencrypted: a customer without a public key
  bool json = false;               // status --json
};

using cmd::parse_number;

// What a push destination lacks or has too many of: "" when it can be used. Each kind has what it
// authenticates with and nothing else, so that a stale flag of another kind is not kept.
std::string push_target_problem(CustomerConfig& config) {
  PushTarget& push = config.push;
  if (push.url.empty()) {
    push = PushTarget{};
    config.push_confirmed = false;
    return "";
  }
  if (push.url.starts_with(push::kSyslogTlsScheme)) {
    if (!push.host_key.empty() || !push.credential.empty())
      return "a syslog+tls:// destination is checked by its certificate (--push-ca-file), not by "
             "--push-host-key or --push-credential";
    if (config.encoding != BodyEncoding::kModern)
      return "a syslog+tls:// destination needs --encoding modern: the nodes read each file with "
             "the cluster's push key, which only modern files carry";
    return "";
  }
  if (push.url.starts_with(push::kHttpsScheme)) {
    if (push.credential.empty())
      return "an https:// --push-url needs --push-credential: the collector's token (a line "
             "NAME SCHEME TOKEN of the nodes' --push-credentials)";
    if (!push.host_key.empty()) return "--push-host-key is for sftp:// destinations";
    if (config.encoding != BodyEncoding::kModern)
      return "an https:// destination needs --encoding modern: the nodes read each file with "
             "the cluster's push key, which only modern files carry";
    return "";
  }
  if (!push.ca_pem.empty()) return "--push-ca-file is for syslog+tls:// and https:// destinations";
  if (push.url.starts_with("s3://")) {
    if (push.credential.empty())
      return "an s3:// --push-url needs --push-credential: the requests are signed with it";
    if (!push.host_key.empty()) return "--push-host-key is for sftp:// destinations";
    return "";
  }
  if (push.host_key.empty())
    return "--push-url needs --push-host-key: the server is checked before anything is sent to it";
  if (!push.credential.empty())
    return "--push-credential is for s3:// and https:// destinations (sftp uses --push-ssh-key)";
  return "";
}

// What a flag's value is applied to.
struct Applying {
  const CtlFlags& flags;
  CustomerConfig& config;
  Random& random;
  std::string& generated_key;  // --generate-password's fresh API key
};
// Applies one flag's value; "" or what is wrong with it.
using ApplyFlag = std::string (*)(const std::string& value, Applying& to);

std::string apply_account(const std::string& value, Applying& to) {
  if (!parse_number(value, to.config.account_id) || to.config.account_id == 0)
    return "--account wants a positive number";
  return "";
}

std::string apply_config_id(const std::string& value, Applying& to) {
  if (!parse_number(value, to.config.config_id) || to.config.config_id == 0)
    return "--config wants a positive number";
  return "";
}

std::string apply_format(const std::string& value, Applying& to) {
  const std::optional<LogFormat> format = parse_log_format(value);
  if (!format) return "--format is " + std::string(kLogFormatChoices);
  to.config.format = *format;
  return "";
}

std::string apply_leef_delimiter(const std::string& value, Applying& to) {
  const std::optional<char> delimiter = parse_leef_delimiter(value);
  if (!delimiter) return "--leef-delimiter is " + std::string(kLeefDelimiterChoices);
  to.config.leef_delimiter = *delimiter;
  return "";
}

std::string apply_encoding(const std::string& value, Applying& to) {
  if (value == "modern") {
    to.config.encoding = BodyEncoding::kModern;
  } else if (value == "imperva") {
    to.config.encoding = BodyEncoding::kImpervaCompatible;
  } else {
    return "--encoding is modern or imperva";
  }
  return "";
}

std::string apply_public_key(const std::string& value, Applying& to) {
  return read_file_text(value, to.config.public_key_pem) ? "" : "cannot read " + value;
}

std::string apply_public_key_id(const std::string& value, Applying& to) {
  to.config.public_key_id = value;
  return "";
}

std::string apply_username(const std::string& value, Applying& to) {
  if (Status s = lumberjack::validate_username(value); !s.ok()) return s.to_string();
  to.config.username = value;
  return "";
}

std::string apply_password_file(const std::string& value, Applying& to) {
  std::string password;
  if (!read_file_text(value, password)) return "cannot read " + value;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  Result<std::string> hash = lumberjack::hash_password(password, to.random);
  if (!hash.ok()) return value + ": " + hash.error().message();
  to.config.password_hash = *hash;
  return "";
}

std::string apply_generate_password(const std::string&, Applying& to) {
  to.generated_key = lumberjack::generate_api_key(to.random);
  Result<std::string> hash = lumberjack::hash_password(to.generated_key, to.random);
  LJ_ASSERT(hash.ok());  // a generated key is always a valid one
  to.config.password_hash = *hash;
  return "";
}

std::string apply_roll_events(const std::string& value, Applying& to) {
  if (!parse_number(value, to.config.roll.max_events) || to.config.roll.max_events == 0)
    return "--roll-events wants a positive number";
  return "";
}

std::string apply_roll_bytes(const std::string& value, Applying& to) {
  if (!parse_number(value, to.config.roll.max_bytes) || to.config.roll.max_bytes == 0)
    return "--roll-bytes wants a positive number";
  return "";
}

std::string apply_roll_age_ms(const std::string& value, Applying& to) {
  if (!parse_number(value, to.config.roll.max_age_ms) || to.config.roll.max_age_ms <= 0)
    return "--roll-age-ms wants a positive number";
  return "";
}

// A new destination (or "off"). Moving to another kind of destination drops what
// authenticated the old one, unless given anew; a new address waits for its owner to confirm
// it (push_challenge.h).
std::string apply_push_url(const std::string& value, Applying& to) {
  CustomerConfig& config = to.config;
  if (value == "off") {
    config.push = PushTarget{};
    config.push_confirmed = false;
    return "";
  }
  if (value.starts_with("s3://")) {
    if (Result<push::S3Url> url = push::parse_s3_url(value); !url.ok())
      return url.error().message();
  } else if (value.starts_with("syslog")) {
    if (Result<push::SyslogUrl> url = push::parse_syslog_url(value); !url.ok())
      return url.error().message();
  } else if (value.starts_with("http")) {
    if (Result<push::HttpsUrl> url = push::parse_https_url(value); !url.ok())
      return url.error().message();
  } else if (Result<push::SftpUrl> url = push::parse_sftp_url(value); !url.ok()) {
    return url.error().message();
  }
  if (config.push.url.substr(0, config.push.url.find(':')) != value.substr(0, value.find(':'))) {
    if (!to.flags.values.contains("--push-host-key")) config.push.host_key.clear();
    if (!to.flags.values.contains("--push-credential")) config.push.credential.clear();
    if (!to.flags.values.contains("--push-ca-file")) config.push.ca_pem.clear();
  }
  if (value != config.push.url) config.push_confirmed = false;
  config.push.url = value;
  return "";
}

std::string apply_push_host_key(const std::string& value, Applying& to) {
  if (!value.starts_with("SHA256:") || value.size() < 20 ||
      value.find_first_of(" \t\n") != std::string::npos) {
    return "--push-host-key is the server's SHA256:... fingerprint, as `ssh-keygen -lf <host "
           "key>.pub` prints it";
  }
  to.config.push.host_key = value;
  return "";
}

std::string apply_push_credential(const std::string& value, Applying& to) {
  if (value.empty() || value.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") !=
                           std::string::npos) {
    return "--push-credential is a name of letters, digits, '-', '.' and '_' (a line of "
           "--push-credentials)";
  }
  to.config.push.credential = value;
  return "";
}

std::string apply_push_ca_file(const std::string& value, Applying& to) {
  std::string pem;
  if (!read_file_text(value, pem)) return "cannot read " + value;
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return "--push-ca-file " + value + " holds no PEM certificate";
  to.config.push.ca_pem = pem;
  return "";
}

const std::map<std::string_view, ApplyFlag> kAppliers{
    {"--account", apply_account},
    {"--config", apply_config_id},
    {"--format", apply_format},
    {"--leef-delimiter", apply_leef_delimiter},
    {"--encoding", apply_encoding},
    {"--public-key", apply_public_key},
    {"--public-key-id", apply_public_key_id},
    {"--username", apply_username},
    {"--password-file", apply_password_file},
    {"--generate-password", apply_generate_password},
    {"--roll-events", apply_roll_events},
    {"--roll-bytes", apply_roll_bytes},
    {"--roll-age-ms", apply_roll_age_ms},
    {"--push-url", apply_push_url},
    {"--push-host-key", apply_push_host_key},
    {"--push-credential", apply_push_credential},
    {"--push-ca-file", apply_push_ca_file},
};

// Applies the flags given to `config`, in the order of their names (as before: `values` is a
// map). Returns "" or what is wrong. With --generate-password, `generated_key` is the fresh API
// key whose hash `config` now holds (the caller writes it out).
std::string apply_flags(const CtlFlags& flags, CustomerConfig& config, Random& random,
                        std::string& generated_key) {
  Applying to{flags, config, random, generated_key};
  for (const auto& [flag, value] : flags.values) {
    auto applier = kAppliers.find(flag);
    if (applier == kAppliers.end()) return "unknown flag " + flag;
    if (std::string why = applier->second(value, to); !why.empty()) return why;
  }
  if (flags.no_compress) config.compress = false;
  if (std::string why = push_target_problem(config); !why.empty()) return why;
  if (flags.values.contains("--leef-delimiter") && config.format != LogFormat::kLeef) {
    return "--leef-delimiter is for a customer in --format LEEF";
  }
  return "";
}

// Creates (add) or replaces at `version` (set) the customer's node; false after saying why.
Task<bool> store_customer(CoordinatorSession& zk, const CtlFlags& flags, Clock& clock,
                          const std::string& path, const CustomerConfig& config, int32_t version,
                          std::ostream& err) {
  if (flags.verb == "add") {
    // A bulk add rides out a ZooKeeper stall: an unanswered create is retried, never doubled.
    const Status created = co_await create_once(zk, clock, path, config.encode());
    if (!created.ok()) {
      err << "lj ctl add: customer " << config.account_id << ": " << created.to_string() << "\n";
      co_return false;
    }
    co_return true;
  }
  Result<int32_t> set = co_await zk.set(path, config.encode(), version);
  if (!set.ok()) {
    err << "lj ctl set: customer " << config.account_id << ": " << set.error().to_string()
        << (set.code() == ErrorCode::kVersionMismatch ? " (changed meanwhile; run again)" : "")
        << "\n";
    co_return false;
  }
  co_return true;
}

Task<int> add_or_set(CoordinatorSession& zk, const CtlFlags& flags, const Env& env,
                     std::ostream& out, std::ostream& err) {
  uint64_t account = 0;
  if (!flags.values.contains("--account") || !parse_number(flags.values.at("--account"), account) ||
      account == 0) {
    err << "lj ctl " << flags.verb << ": --account N is required\n";
    co_return 2;
  }
  const std::string path = flags.layout.customer(std::to_string(account));
  CustomerConfig config;
  int32_t version = kAnyVersion;
  if (flags.verb == "set") {
    Result<NodeData> existing = co_await zk.get(path);
    if (!existing.ok()) {
      err << "lj ctl set: customer " << account << ": " << existing.error().to_string() << "\n";
      co_return 1;
    }
    Result<CustomerConfig> decoded = CustomerConfig::decode(existing->data);
    if (!decoded.ok()) {
      err << "lj ctl set: stored customer " << account
          << " is unreadable: " << decoded.error().to_string() << "\n";
      co_return 1;
    }
    config = *decoded;
    version = existing->version;
  }
  std::string generated_key;
  if (std::string problem = apply_flags(flags, config, env.random, generated_key);
      !problem.empty()) {
    err << "lj ctl " << flags.verb << ": " << problem << "\n";
    co_return 2;
  }
  if (config.account_id != account) {
    err << "lj ctl set: the account id cannot change\n";
    co_return 2;
  }
  // Files without a key are readable by whoever reaches the storage or the customer's folder:
  // never by omission.
  if (config.public_key_pem.empty() && !flags.allow_unencrypted) {
    err << "lj ctl " << flags.verb << ": customer " << account
        << " has no --public-key: its files would not be encrypted (say --allow-unencrypted if "
           "that is meant)\n";
    co_return 2;
  }
  // Whatever is stored must decode: check our own output the way workers will read it.
  if (Result<CustomerConfig> check = CustomerConfig::decode(config.encode()); !check.ok()) {
    err << "lj ctl " << flags.verb << ": " << check.error().to_string() << "\n";
    co_return 2;
  }
  // The key file first: a key stored in ZooKeeper but lost here would lock the customer out.
  const std::string key_file = generated_key.empty() ? "" : flags.values.at("--generate-password");
  if (!key_file.empty()) {
    if (std::string problem = write_new_file(key_file, generated_key + "\n", 0600);
        !problem.empty()) {
      err << "lj ctl " << flags.verb << ": cannot write the new password: " << problem << "\n";
      co_return 1;
    }
  }
  if (!co_await store_customer(zk, flags, env.clock, path, config, version, err)) {
    if (!key_file.empty()) std::filesystem::remove(key_file);  // it matches nothing stored
    co_return 1;
  }
  if (flags.values.contains("--push-url") && !config.push.url.empty() && !config.push_confirmed) {
    // A fresh ownership check for it (an earlier one for the same address may hold a token the
    // destination no longer has): the customer's worker writes one where none is.
    const Status cleared = co_await zk.remove(flags.layout.push_challenge(std::to_string(account)));
    if (!cleared.ok() && cleared.code() != ErrorCode::kNotFound) {
      err << "lj ctl " << flags.verb
          << ": clearing the earlier ownership check: " << cleared.to_string() << "\n";
    }
    out << "customer " << account << ": its files are pushed to " << config.push.url
        << " once the destination's owner confirms it. A Lumberjack writes "
        << lumberjack::challenge_object_name(account)
        << " there; run\n  lj ctl confirm-push --account " << account
        << " --token <the token in that file>\n";
  }
  if (!key_file.empty()) {
    out << "wrote a new password (a 192-bit API key) for " << config.username << " to " << key_file
        << " (mode 0600): hand it to the customer; only its salted hash is stored\n";
  }
  out << flags.verb << " customer " << account << " (folder " << config.folder() << ", "
      << log_format_name(config.format) << ", "
      << (config.encoding == BodyEncoding::kModern ? "modern" : "imperva")
      << (config.public_key_pem.empty() ? ", unencrypted" : ", encrypted") << ")\n";
  co_return 0;
}

// `add --from FILE`: one customer per line, each line that customer's flags on top of the
// command line's, all in this one session (no process, connection or handshake per customer).
// Stops at the first line refused: the customers of the lines before it stay added.
Task<int> add_from_file(CoordinatorSession& zk, const CtlFlags& flags, const Env& env,
                        std::ostream& out, std::ostream& err) {
  const std::string path = flags.values.at("--from");
  std::ifstream file(path);
  if (!file) {
    err << "lj ctl add: cannot read " << path << "\n";
    co_return 2;
  }
  CtlFlags common = flags;
  common.values.erase("--from");
  std::string line;
  uint64_t line_number = 0, added = 0;
  while (std::getline(file, line)) {
    ++line_number;
    CtlFlags one = common;
    std::map<std::string, std::string> values;
    if (!parse_ctl_flag_line(line, values)) {
      err << "lj ctl add: " << path << ":" << line_number << ": not --flag value pairs\n";
      co_return 2;
    }
    if (values.empty()) continue;
    for (auto& [flag, value] : values) one.values[flag] = std::move(value);
    if (const int code = co_await add_or_set(zk, one, env, out, err); code != 0) {
      err << "lj ctl add: stopped at " << path << ":" << line_number << " (" << added
          << " customers added before it)\n";
      co_return code;
    }
    ++added;
  }
  co_return 0;
}

Task<int> confirm_push(CoordinatorSession& zk, const CtlFlags& flags, std::ostream& out,
                       std::ostream& err) {
  uint64_t account = 0;
  if (!flags.values.contains("--account") || !parse_number(flags.values.at("--account"), account)) {
    err << "lj ctl confirm-push: --account N is required\n";
    co_return 2;
  }
  const std::string token = flags.values.count("--token") ? flags.values.at("--token") : "";
  Result<std::string> confirmed =
      co_await lumberjack::confirm_push(zk, flags.layout, account, token);
  if (!confirmed.ok()) {
    err << "lj ctl confirm-push: " << confirmed.error().message() << "\n";
    co_return 1;
  }
  out << *confirmed << "\n";
  co_return 0;
}

Task<int> remove(CoordinatorSession& zk, const CtlFlags& flags, std::ostream& out,
                 std::ostream& err) {
  uint64_t account = 0;
  if (!flags.values.contains("--account") || !parse_number(flags.values.at("--account"), account)) {
    err << "lj ctl remove: --account N is required\n";
    co_return 2;
  }
  const Status removed = co_await lumberjack::remove_customer(zk, flags.layout, account);
  if (!removed.ok()) {
    err << "lj ctl remove: customer " << account << ": " << removed.to_string() << "\n";
    co_return 1;
  }
  out << "removed customer " << account << " (published files stay until retention removes them)\n";
  co_return 0;
}

Task<int> list(CoordinatorSession& zk, const CtlFlags& flags, std::ostream& out,
               std::ostream& err) {
  Result<std::vector<std::string>> accounts = co_await zk.children(flags.layout.customers());
  if (!accounts.ok()) {
    if (accounts.code() == ErrorCode::kNotFound) co_return 0;
    err << "lj ctl list: " << accounts.error().to_string() << "\n";
    co_return 1;
  }
  for (const std::string& account : *accounts) {
    Result<NodeData> node = co_await zk.get(flags.layout.customer(account));
    if (!node.ok()) continue;
    Result<CustomerConfig> config = CustomerConfig::decode(node->data);
    if (!config.ok()) {
      out << account << " UNREADABLE: " << config.error().to_string() << "\n";
      continue;
    }
    out << account << " folder=" << config->folder()
        << " format=" << log_format_name(config->format)
        << " encoding=" << (config->encoding == BodyEncoding::kModern ? "modern" : "imperva")
        << " encrypted=" << (config->public_key_pem.empty() ? "no" : "yes")
        << " user=" << (config->username.empty() ? "-" : config->username)
        << " roll=" << config->roll.max_events << "ev/" << config->roll.max_bytes << "B/"
        << config->roll.max_age_ms << "ms";
    if (!config->push.url.empty()) {
      Result<NodeData> checkpoint_node = co_await zk.get(flags.layout.checkpoint(account));
      Result<lumberjack::Checkpoint> checkpoint =
          checkpoint_node.ok() ? lumberjack::Checkpoint::decode(checkpoint_node->data)
                               : Result<lumberjack::Checkpoint>(checkpoint_node.error());
      const std::optional<uint64_t> committed =
          checkpoint.ok() ? std::optional<uint64_t>(checkpoint->next_seq - 1) : std::nullopt;
      const PushState push =
          co_await read_push_state(zk, flags.layout, account, *config, committed);
      out << push_text(push);
    }
    out << "\n";
  }
  co_return 0;
}

// drain|undrain --node NAME: takes a Lumberjack node out of rotation, or puts it back
// (prod/lumberjack/drain.h). NAME is the node's --name; a worker id as `status` lists it
// ("lj-2-1a2b") names its node. Both are idempotent and say when they change nothing.
Task<int> drain(CoordinatorSession& zk, const CtlFlags& flags, bool drained, std::ostream& out,
                std::ostream& err) {
  const std::string verb = drained ? "drain" : "undrain";
  auto given = flags.values.find("--node");
  if (given == flags.values.end() || given->second.empty() ||
      given->second.find('/') != std::string::npos) {
    err << "lj ctl " << verb
        << ": --node NAME is required (the node's --name, or a worker id from `lj ctl status`)\n";
    co_return 2;
  }
  const lumberjack::ZkLayout& layout = flags.layout;
  Result<std::vector<std::string>> workers = co_await zk.children(layout.workers());
  std::vector<std::string> live_nodes;
  if (workers.ok()) {
    for (const std::string& worker : *workers)
      live_nodes.push_back(lumberjack::worker_node_name(worker));
  }
  std::string node = given->second;
  if (workers.ok() && std::find(workers->begin(), workers->end(), node) != workers->end()) {
    node = lumberjack::worker_node_name(node);
  }
  const std::string path = layout.drained_node(node);
  Result<std::optional<int32_t>> was = co_await zk.exists(path);
  const bool already = was.ok() && was->has_value() == drained;
  const Status changed = co_await lumberjack::set_drained(zk, layout, node, drained);
  if (!changed.ok()) {
    err << "lj ctl " << verb << ": node " << node << ": " << changed.to_string() << "\n";
    co_return 1;
  }
  const bool live = std::find(live_nodes.begin(), live_nodes.end(), node) != live_nodes.end();
  if (already) {
    out << node << " was " << (drained ? "drained" : "not drained") << " already\n";
  } else if (drained) {
    out << "drained " << node << ": the master moves its customers to the other nodes\n";
  } else {
    out << "undrained " << node << ": the master balances customers onto it again\n";
  }
  if (!live) {
    err << "lj ctl " << verb << ": note: no live Lumberjack is named " << node
        << " (live: " << (live_nodes.empty() ? std::string("none") : "");
    for (size_t i = 0; i < live_nodes.size(); ++i) err << (i ? " " : "") << live_nodes[i];
    err << "); the setting applies when one starts under that --name\n";
  }
  co_return 0;
}

Task<int> status(CoordinatorSession& zk, const Env& env, const CtlFlags& flags, std::ostream& out) {
  const ClusterStatus status = co_await read_cluster_status(zk, env, flags.layout, "lj ctl");
  out << (flags.json ? status_json(status) : status_text(status));
  co_return 0;
}

}  // namespace

bool parse_ctl_flag_line(std::string_view line, std::map<std::string, std::string>& values) {
  values.clear();
  std::istringstream words{std::string(line)};
  std::string flag, value;
  while (words >> flag) {
    if (flag.starts_with("#") && values.empty()) return true;  // a comment line
    if (!flag.starts_with("--") || !(words >> value) || values.contains(flag)) return false;
    values[flag] = value;
  }
  return true;
}

namespace {

// A customer's flags, as add and set take them and as each line of add --from holds them: kept
// as given (CtlFlags::values), so that set changes only those, and apply_flags checks them all.
void add_customer_flags(CLI::App& verb, CtlFlags& flags) {
  const std::string formats = "the files' format: " + std::string(kLogFormatChoices);
  const std::string delimiters =
      "LEEF's attribute delimiter: " + std::string(kLeefDelimiterChoices);
  const std::pair<std::string, std::string> options[] = {
      {"--account", "the customer's account id (required)"},
      {"--config", "the configuration id: a new one starts a new folder"},
      {"--format", formats},
      {"--leef-delimiter", delimiters},
      {"--encoding", "the files' container: modern or imperva"},
      {"--public-key", "the customer's RSA public key (PEM): files are encrypted for it"},
      {"--public-key-id", "the id the files name the key by (default: its fingerprint)"},
      {"--username", "the customer's user name for downloads"},
      {"--password-file",
       "read the customer's API key from this file (>= 128 bits; only a salted hash is kept)"},
      {"--generate-password", "make a fresh API key and write it to this new file (mode 0600)"},
      {"--roll-events", "a file rolls at this many events"},
      {"--roll-bytes", "a file rolls at this many bytes"},
      {"--roll-age-ms", "a file rolls at this age"},
      {"--push-url",
       "also push its files to sftp://user@host[:port]/folder, "
       "s3://host[:port]/bucket[/prefix][?region=R] or its events to a collector, "
       "syslog+tls://host[:port] or https://host[:port]/path (off: no more)"},
      {"--push-host-key", "sftp: that server's host key fingerprint, SHA256:... (ssh-keygen -lf)"},
      {"--push-credential",
       "s3: the name of the key pair the nodes sign with; https: of the collector's token (their "
       "--push-credentials file)"},
      {"--push-ca-file",
       "syslog+tls, https: the CA certificates (PEM) the collector's must chain to (default: the "
       "nodes' --push-ca-file or system store)"},
  };
  std::map<std::string, CLI::Option*> declared;
  for (const auto& [name, what] : options)
    declared[name] = cmd::add_kept_option(verb, flags.values, name, what);
  declared["--password-file"]->excludes(declared["--generate-password"]);
  verb.add_flag("--no-compress", flags.no_compress, "files without zstd");
  verb.add_flag("--allow-unencrypted", flags.allow_unencrypted,
                "a customer without a public key: files unencrypted");
}

}  // namespace

int run_ctl(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Manages customers and looks at the cluster, through ZooKeeper.", "lj ctl"};
  CtlFlags flags;
  cmd::GracelandTlsFlags tls;  // status asks every Graceland for its customers, over mutual TLS
  app.add_option("--zookeeper", flags.zookeeper, "ZooKeeper's hosts: HOST:PORT,...")->required();
  app.add_option("--zk-root", flags.layout.root, "the cluster's root in ZooKeeper")
      ->capture_default_str();
  app.add_option("--zk-auth", flags.zk_auth,
                 "the operator's ZooKeeper credentials file (prod/cmd/common/zk_access.h)");
  app.require_subcommand(1, 1);
  CLI::App* add = app.add_subcommand("add", "add a customer (fails if it exists)");
  add_customer_flags(*add, flags);
  cmd::add_kept_option(*add, flags.values, "--from",
                       "add one customer per line of this file: each line that customer's flags, "
                       "on top of those given "
                       "here (blank lines and lines starting with # are skipped)");
  add_customer_flags(
      *app.add_subcommand("set", "change the flags given of a customer (compare-and-set)"), flags);
  cmd::add_kept_option(*app.add_subcommand("remove", "remove a customer; its published files stay"),
                       flags.values, "--account", "the customer's account id")
      ->required();
  CLI::App* confirm = app.add_subcommand(
      "confirm-push",
      "start pushing a customer's files to its destination, with the token its owner read there");
  cmd::add_kept_option(*confirm, flags.values, "--account", "the customer's account id")
      ->required();
  cmd::add_kept_option(*confirm, flags.values, "--token",
                       "the token in the destination's lumberjack-challenge file")
      ->required();
  app.add_subcommand("list", "the customers, one a line");
  CLI::App* status_verb = app.add_subcommand(
      "status", "master, workers, drained nodes, assignments; per customer and PoP the lag");
  tls.add_to(*status_verb);
  status_verb->add_flag("--json", flags.json, "one JSON object, for scripts (the same facts)");
  cmd::add_kept_option(
      *app.add_subcommand("drain", "take a Lumberjack node out of rotation: its customers move"),
      flags.values, "--node", "the node's name")
      ->required();
  cmd::add_kept_option(
      *app.add_subcommand("undrain", "put a drained node back: customers are balanced onto it"),
      flags.values, "--node", "the node's name")
      ->required();
  for (CLI::App* verb : app.get_subcommands({}))
    verb->fallthrough();  // --zookeeper after the verb too
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
  flags.verb = app.get_subcommands().front()->get_name();
  RealRuntime runtime;
  std::unique_ptr<Network> tls_network;
  Result<Env> env = cmd::graceland_env(runtime.env(), tls, tls_network);
  if (!env.ok()) {
    err << "lj ctl: " << env.error().to_string() << "\n";
    return 2;
  }
  Result<ZkAccess> access = cmd::zk_access(flags.zk_auth, flags.layout);
  if (!access.ok()) {
    err << "lj ctl: " << access.error().to_string() << "\n";
    return 2;
  }
  ZkCoordinator coordinator(flags.zookeeper, runtime, false, std::move(*access));
  return runtime.run([](Coordinator& coordinator, Env env, const CtlFlags& flags, std::ostream& out,
                        std::ostream& err) -> Task<int> {
    auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
    if (!session.ok()) {
      err << "lj ctl: zookeeper " << flags.zookeeper << ": " << session.error().to_string() << "\n";
      co_return 1;
    }
    int code = 0;
    if (flags.verb == "add" && flags.values.contains("--from"))
      code = co_await add_from_file(**session, flags, env, out, err);
    else if (flags.verb == "add" || flags.verb == "set")
      code = co_await add_or_set(**session, flags, env, out, err);
    else if (flags.verb == "remove")
      code = co_await remove(**session, flags, out, err);
    else if (flags.verb == "confirm-push")
      code = co_await confirm_push(**session, flags, out, err);
    else if (flags.verb == "list")
      code = co_await list(**session, flags, out, err);
    else if (flags.verb == "drain" || flags.verb == "undrain")
      code = co_await drain(**session, flags, flags.verb == "drain", out, err);
    else
      code = co_await status(**session, env, flags, out);
    co_await (*session)->close();
    co_return code;
  }(coordinator, *env, flags, out, err));
}

}  // namespace lj
