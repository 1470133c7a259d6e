// lj-delivery-fixture: sets up what ci/delivery_test serves, without ZooKeeper or a cluster.
// Test use only (it writes the fixed test keys).
//
//   lj-delivery-fixture keys --dir DIR
//       writes DIR/key<i>.pem, the private keys of test_key_pairs() (PKCS#8)
//   lj-delivery-fixture publish --storage DIR --account A --config C --from SEQ --files N
//                               [--events E] [--key-index I] [--encoding modern|imperva]
//                               [--format CEF|W3C] [--no-compress]
//       writes files SEQ..SEQ+N-1 of the customer with the LogFileWriter, encrypted for test
//       key I, as Lumberjack publishes them: "<A>_<C>/<A>_<seq>.log", then logs.index (1..last)
//   lj-delivery-fixture render --nginx-dir DIR [--burst B] CUSTOMER...
//       CUSTOMER is ACCOUNT:CONFIG:USER:PASSWORD; writes DIR/customers.conf and
//       DIR/htpasswd/<folder> exactly as the NginxConfigurator would (and removes other
//       htpasswd files), from CustomerConfig values with freshly hashed passwords

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "prod/delivery/nginx_config.h"
#include "prod/delivery/nginx_configurator.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"
#include "prod/lumberjack/credentials.h"
#include "prod/lumberjack/customer_pipeline.h"

namespace {

namespace fs = std::filesystem;
using lj::lumberjack::CustomerConfig;

int fail(const std::string& why) {
  std::cerr << "lj-delivery-fixture: " << why << "\n";
  return 1;
}

template <typename T>
bool number(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

bool write_atomically(const fs::path& path, const std::string& contents) {
  fs::create_directories(path.parent_path());
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out) return false;
  }
  std::error_code error;
  fs::rename(temp, path, error);
  return !error;
}

// --flag value pairs, and the bare words after them.
struct Args {
  std::vector<std::pair<std::string, std::string>> flags;
  std::vector<std::string> words;
  bool has(const std::string& flag) const {
    for (const auto& [f, v] : flags) {
      if (f == flag) return true;
    }
    return false;
  }
  std::string get(const std::string& flag, const std::string& fallback = "") const {
    for (const auto& [f, v] : flags) {
      if (f == flag) return v;
    }
    return fallback;
  }
};

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-compress") {
      args.flags.emplace_back(arg, "1");
    } else if (arg.starts_with("--") && i + 1 < argc) {
      args.flags.emplace_back(arg, argv[++i]);
    } else {
      args.words.push_back(arg);
    }
  }
  return args;
}

int keys(const Args& args) {
  const fs::path dir = args.get("--dir");
  if (dir.empty()) return fail("keys: --dir is required");
  for (size_t i = 0; i < lj::test_key_pairs().size(); ++i) {
    const std::string pem(lj::test_key_pairs()[i].private_pkcs8_pem);
    if (!write_atomically(dir / ("key" + std::to_string(i) + ".pem"), pem))
      return fail("cannot write keys");
  }
  return 0;
}

int publish(const Args& args) {
  CustomerConfig config;
  uint64_t from = 0, files = 0, events = 20, key_index = 0;
  const fs::path storage = args.get("--storage");
  if (storage.empty() || !number(args.get("--account"), config.account_id) ||
      !number(args.get("--config"), config.config_id) || !number(args.get("--from"), from) ||
      from == 0 || !number(args.get("--files"), files) ||
      !number(args.get("--events", "20"), events) ||
      !number(args.get("--key-index", "0"), key_index) ||
      key_index >= lj::test_key_pairs().size()) {
    return fail("publish: --storage, --account, --config, --from and --files are required");
  }
  lj::SplitMix64 random(config.account_id * 1000 + from);
  lj::LogFileWriter writer;
  for (uint64_t seq = from; seq < from + files; ++seq) {
    std::vector<lj::AttackEvent> batch;
    const int64_t start_ms = 1'764'000'000'000 + static_cast<int64_t>(seq) * 60'000;
    for (uint64_t i = 0; i < events; ++i) {
      batch.push_back(lj::make_sample_event(random, config.account_id,
                                            lj::EventId{7, seq * 100'000 + i},
                                            start_ms + static_cast<int64_t>(i)));
    }
    lj::LogFileSpec spec;
    spec.account_id = config.account_id;
    spec.config_id = config.config_id;
    spec.seq = seq;
    spec.format = lj::parse_log_format(args.get("--format", "CEF")).value_or(lj::LogFormat::kCef);
    spec.encoding = args.get("--encoding", "modern") == "imperva"
                        ? lj::BodyEncoding::kImpervaCompatible
                        : lj::BodyEncoding::kModern;
    spec.compress = !args.has("--no-compress");
    spec.public_key_pem = std::string(lj::test_key_pairs()[key_index].public_pem);
    spec.start_time_ms = start_ms;
    spec.end_time_ms = start_ms + static_cast<int64_t>(events);
    lj::Result<std::string> file = writer.write(spec, batch, random);
    if (!file.ok()) return fail("publish: " + file.error().to_string());
    if (!write_atomically(storage / lj::lumberjack::published_name(config, seq), *file))
      return fail("cannot write");
  }
  const std::string index = lj::lumberjack::index_contents(config, from + files - 1);
  if (!write_atomically(storage / lj::lumberjack::index_name(config), index))
    return fail("cannot write the index");
  return 0;
}

int render(const Args& args) {
  const fs::path dir = args.get("--nginx-dir");
  if (dir.empty()) return fail("render: --nginx-dir is required");
  lj::delivery::NginxRenderOptions options;
  if (args.has("--burst") && !number(args.get("--burst"), options.rate_limit_burst))
    return fail("render: bad --burst");
  lj::SplitMix64 random(99);
  std::vector<CustomerConfig> customers;
  for (const std::string& word : args.words) {
    // ACCOUNT:CONFIG:USER:PASSWORD
    const size_t a = word.find(':'), b = word.find(':', a + 1), c = word.find(':', b + 1);
    if (c == std::string::npos)
      return fail("render: a customer is ACCOUNT:CONFIG:USER:PASSWORD, not " + word);
    CustomerConfig config;
    if (!number(word.substr(0, a), config.account_id) ||
        !number(word.substr(a + 1, b - a - 1), config.config_id)) {
      return fail("render: bad ids in " + word);
    }
    config.username = word.substr(b + 1, c - b - 1);
    lj::Result<std::string> hash = lj::lumberjack::hash_password(word.substr(c + 1), random);
    if (!hash.ok()) return fail("render: " + hash.error().to_string());
    config.password_hash = *hash;
    customers.push_back(config);
  }
  const lj::delivery::RenderedNginxConfig rendered =
      lj::delivery::render_nginx_config(customers, options);
  for (const std::string& why : rendered.rejected)
    std::cerr << "lj-delivery-fixture: not serving " << why << "\n";
  const fs::path htpasswd = dir / lj::delivery::NginxConfigurator::kHtpasswdDirName;
  fs::create_directories(htpasswd);  // as the configurator keeps it, even when no file needs it
  for (const auto& [name, contents] : rendered.htpasswd) {
    if (!write_atomically(htpasswd / name, contents)) return fail("cannot write " + name);
  }
  if (!write_atomically(dir / lj::delivery::NginxConfigurator::kIncludeName, rendered.include)) {
    return fail("cannot write the include");
  }
  for (const auto& entry : fs::directory_iterator(htpasswd)) {
    if (!rendered.htpasswd.contains(entry.path().filename().string())) fs::remove(entry.path());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  const Args args = parse(argc, argv);
  if (command == "keys") return keys(args);
  if (command == "publish") return publish(args);
  if (command == "render") return render(args);
  std::cerr << "usage: lj-delivery-fixture keys|publish|render ... (see delivery_fixture.cc)\n";
  return 2;
}
