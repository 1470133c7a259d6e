#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "prod/cmd/lj/audit_command.h"
#include "prod/cmd/lj/cat_command.h"
#include "prod/cmd/lj/check_command.h"
#include "prod/cmd/lj/ctl_command.h"
#include "prod/cmd/lj/fetch_command.h"
#include "prod/cmd/lj/gen_command.h"
#include "prod/cmd/lj/keygen_command.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"

namespace lj {
namespace {

namespace fs = std::filesystem;

class LjCli : public testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lj_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const char* name) const { return (dir_ / name).string(); }

  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void spit(const std::string& p, std::string_view bytes) {
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  int run(int (*command)(std::span<const std::string_view>, std::ostream&, std::ostream&),
          std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    std::vector<std::string_view> views(args.begin(), args.end());
    return command(views, out_, err_);
  }

  std::string write_log(const std::string& public_pem, std::vector<AttackEvent>& events,
                        LogFormat format = LogFormat::kCef) {
    SplitMix64 random(4);
    for (uint64_t i = 1; i <= 5; ++i)
      events.push_back(make_sample_event(random, 9, {1, i}, 1764049750000));
    LogFileSpec spec;
    spec.account_id = 9;
    spec.format = format;
    spec.leef_delimiter = '^';
    spec.public_key_pem = public_pem;
    spec.start_time_ms = 1764049750000;
    spec.end_time_ms = 1764049750000;
    LogFileWriter writer;
    auto file = writer.write(spec, events, random);
    EXPECT_TRUE(file.ok());
    return *file;
  }

  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(LjCli, KeygenThenCatDecryptsAFileForThatKey) {
  ASSERT_EQ(run(run_keygen, {"--private", path("k.pem"), "--public", path("k.pub")}), 0)
      << err_.str();
  struct stat st;
  ASSERT_EQ(stat(path("k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(slurp(path("k.pem")).starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_NE(out_.str().find("publicKeyId sha256:"), std::string::npos);

  std::vector<AttackEvent> events;
  spit(path("9_1.log"), write_log(slurp(path("k.pub")), events));
  ASSERT_EQ(run(run_cat, {path("9_1.log"), "--key", path("k.pem")}), 0) << err_.str();
  const std::string printed = out_.str();
  EXPECT_EQ(std::count(printed.begin(), printed.end(), '\n'), 5);
  EXPECT_TRUE(printed.starts_with("CEF:0|Incapsula|SIEMintegration|"));

  ASSERT_EQ(run(run_cat, {path("9_1.log"), "--key", path("k.pem"), "--verify-only"}), 0);
  EXPECT_NE(out_.str().find(": OK, 5 events, CEF, modern, encrypted for sha256:"),
            std::string::npos)
      << out_.str();
}

TEST_F(LjCli, CatReadsEveryFormat) {
  ASSERT_EQ(run(run_keygen, {"--private", path("k.pem"), "--public", path("k.pub")}), 0)
      << err_.str();
  const std::pair<LogFormat, std::string_view> formats[] = {
      {LogFormat::kW3c, "#Version: 1.0\n"},
      {LogFormat::kLeef, "LEEF:2.0|Incapsula|SIEMintegration|1|"},
      {LogFormat::kJson, "{\"id\":\"1-1\","}};
  for (const auto& [format, start] : formats) {
    std::vector<AttackEvent> events;
    spit(path("9_1.log"), write_log(slurp(path("k.pub")), events, format));
    ASSERT_EQ(run(run_cat, {path("9_1.log"), "--key", path("k.pem")}), 0) << err_.str();
    EXPECT_TRUE(out_.str().starts_with(start)) << out_.str().substr(0, 80);
    ASSERT_EQ(run(run_cat, {path("9_1.log"), "--key", path("k.pem"), "--verify-only"}), 0);
    EXPECT_NE(
        out_.str().find(": OK, 5 events, " + std::string(log_format_name(format)) + ", modern"),
        std::string::npos)
        << out_.str();
  }
}

TEST_F(LjCli, KeygenPkcs1AndRefusesToOverwrite) {
  ASSERT_EQ(run(run_keygen, {"--private", path("k.pem"), "--public", path("k.pub"), "--pkcs1"}), 0);
  EXPECT_TRUE(slurp(path("k.pem")).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
  EXPECT_EQ(run(run_keygen, {"--private", path("k.pem"), "--public", path("k2.pub")}), 1);
  EXPECT_NE(err_.str().find("File exists"), std::string::npos) << err_.str();
  EXPECT_EQ(run(run_keygen, {"--private", path("x.pem")}), 2);
  EXPECT_EQ(
      run(run_keygen, {"--private", path("x.pem"), "--public", path("x.pub"), "--bits", "1024"}),
      2);
}

TEST_F(LjCli, CatReportsWrongKeyAndTampering) {
  std::vector<AttackEvent> events;
  const std::string file = write_log(std::string(test_key_pairs()[0].public_pem), events);
  spit(path("a.log"), file);
  spit(path("wrong.pem"), test_key_pairs()[1].private_pkcs8_pem);
  EXPECT_EQ(run(run_cat, {path("a.log"), "--key", path("wrong.pem")}), 1);
  EXPECT_NE(err_.str().find("wrong private key"), std::string::npos) << err_.str();
  EXPECT_TRUE(out_.str().empty());

  std::string tampered = file;
  tampered[tampered.size() - 20] ^= 1;
  spit(path("b.log"), tampered);
  spit(path("right.pem"), test_key_pairs()[0].private_pkcs1_pem);
  EXPECT_EQ(run(run_cat, {path("b.log"), "--key", path("right.pem"), "--verify-only"}), 1);
  EXPECT_NE(err_.str().find("body authentication failed"), std::string::npos) << err_.str();

  EXPECT_EQ(run(run_cat, {path("a.log")}), 1);
  EXPECT_NE(err_.str().find("no private key was given"), std::string::npos);
  EXPECT_EQ(run(run_cat, {path("missing.log")}), 1);
  EXPECT_EQ(run(run_cat, {}), 2);
}

TEST_F(LjCli, AuditReceivedJudgesWhatTheDownloadersGotAndPrintsLatency) {
  // Ledger: events 5-1..5-3 of account 1001 acknowledged, 5-4 dropped.
  spit(path("ledger"), "A 5 1 1001\nA 5 2 1001\nA 5 3 1001\nD 5 4 1001\n");
  spit(path("a.received"), "1001 1 0 5-1 1000 1040\n1001 1 1 5-2 1000 1040\n");
  // A second downloader; the absent third has received nothing yet: no error.
  spit(path("b.received"), "1001 2 0 5-3 1010 1030\n");
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--received", path("a.received"),
                            "--received", path("b.received"), "--received", path("none.received")}),
            0)
      << err_.str();
  EXPECT_EQ(out_.str(),
            "files=2 events=3 acknowledged=3 delivered=3 lost=0 dup=0 phantom=0\n"
            "latency_ms p50=40 p99=40 max=40 first_start_ms=1000 last_received_ms=1040\n");

  spit(path("b.received"), "1001 2 0 5-2 1010 1030\n");  // 5-2 twice, 5-3 lost
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--received", path("a.received"),
                            "--received", path("b.received")}),
            1);
  EXPECT_NE(out_.str().find("lost=1 dup=1"), std::string::npos) << out_.str();

  spit(path("b.received"), "1001 2 0 5-3 1010\n");
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--received", path("b.received")}), 1);
  EXPECT_NE(err_.str().find("line 1"), std::string::npos) << err_.str();
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--received", path("a.received"),
                            "--storage", "x", "--customer", "1001"}),
            2);  // one way or the other
}

TEST_F(LjCli, AuditAfterRetentionCountsRemovedFilesEventsAsExpired) {
  // Retention removed 9_1.log: the index starts at file 2, which holds events 1-1..1-5; 1-6
  // was acknowledged and was in the removed file.
  std::vector<AttackEvent> events;
  fs::create_directories(dir_ / "storage/9_1");
  spit(path("storage/9_1/9_2.log"), write_log("", events));
  spit(path("storage/9_1/logs.index"), "9_2.log\n");
  spit(path("ledger"), "A 1 1 9\nA 1 2 9\nA 1 3 9\nA 1 4 9\nA 1 5 9\nA 1 6 9\n");
  const std::vector<std::string> audit = {"--storage",    path("storage"), "--ledger",
                                          path("ledger"), "--customer",    "9"};
  EXPECT_EQ(run(run_audit, audit), 1) << "strict by default";
  EXPECT_NE(out_.str().find("lost=6"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("a gap (if retention removed older files: --after-retention)"),
            std::string::npos)
      << out_.str();

  std::vector<std::string> after = audit;
  after.push_back("--after-retention");
  EXPECT_EQ(run(run_audit, after), 0) << out_.str() << err_.str();
  EXPECT_EQ(out_.str(), "acknowledged=6 delivered=5 lost=0 dup=0 phantom=0 expired=1 files=1\n");
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--received", path("a.received"),
                            "--after-retention"}),
            2)
      << "only for published files";
}

TEST_F(LjCli, AuditPushedJudgesTheFilesAtADestinationOfItsCustomersOnly) {
  // The destination holds 9_1.log (events 1-1..1-5); a put not yet renamed into place is not
  // there yet. The ledger also has account 7, which is not pushed: not this audit's to judge.
  std::vector<AttackEvent> events;
  fs::create_directories(dir_ / "pushed");
  spit(path("pushed/9_1.log"), write_log("", events));
  spit(path("pushed/.9_2.log.part-0123"), "half a file");
  spit(path("ledger"), "A 1 1 9\nA 1 2 9\nA 1 3 9\nA 1 4 9\nA 1 5 9\nA 2 1 7\n");
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--pushed", "9=" + path("pushed")}), 0)
      << err_.str();
  EXPECT_NE(out_.str().find("files=1 events=5 acknowledged=5 delivered=5 lost=0 dup=0 phantom=0"),
            std::string::npos)
      << out_.str();

  spit(path("ledger"),
       "A 1 1 9\nA 1 2 9\nA 1 3 9\nA 1 4 9\nA 1 5 9\nA 1 6 9\n");  // 1-6 never pushed
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--pushed", "9=" + path("pushed")}), 1);
  EXPECT_NE(out_.str().find("lost=1"), std::string::npos) << out_.str();
  // A folder nothing was pushed to yet holds nothing; a bad argument is refused.
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--pushed", "9=" + path("nothing-yet")}),
            1);
  EXPECT_NE(out_.str().find("lost=6"), std::string::npos) << out_.str();
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--pushed", "nine=" + path("pushed")}), 2);
  EXPECT_EQ(run(run_audit, {"--ledger", path("ledger"), "--pushed",
                            "9=" + path("pushed") + "=" + path("no.pem")}),
            2);
}

TEST_F(LjCli, GenReportsProgressWhileItRuns) {
  // Nothing listens on port 1: nothing is acknowledged, and the progress lines say so.
  EXPECT_EQ(
      run(run_gen, {"--gracelands", "127.0.0.1:1", "--proxies", "2", "--rate", "50", "--events",
                    "1000", "--timeout-s", "3", "--progress-s", "1", "--ledger", path("ledger")}),
      1);
  const std::string err = err_.str();
  EXPECT_NE(err.find("lj gen: 1s produced="), std::string::npos) << err;
  EXPECT_NE(err.find("lj gen: 2s produced="), std::string::npos) << err;
  EXPECT_NE(err.find(" acknowledged=0 "), std::string::npos) << err;
  EXPECT_NE(out_.str().find("acknowledged=0"), std::string::npos) << out_.str();
}

// --accounts takes ranges (ci/attacks' junk-account flood: thousands of accounts in one flag).
TEST(GenAccounts, IdsAndRanges) {
  std::vector<uint64_t> accounts;
  ASSERT_TRUE(parse_gen_accounts("5-7,9", accounts));
  EXPECT_EQ(accounts, (std::vector<uint64_t>{5, 6, 7, 9}));
  ASSERT_TRUE(parse_gen_accounts("2000000-2004999", accounts));
  EXPECT_EQ(accounts.size(), 5000u);
  EXPECT_EQ(accounts.back(), 2004999u);
  ASSERT_TRUE(parse_gen_accounts("1-65536", accounts));  // one stream per account: the most
  for (const char* bad :
       {"7-5", "0-3", "0", "1-65537", "1-65536,70000", "3-", "-3", "1-2-3", "x", ""}) {
    EXPECT_FALSE(parse_gen_accounts(bad, accounts)) << bad;
  }
}

TEST_F(LjCli, GenRefusesABadAccountRange) {
  EXPECT_EQ(run(run_gen, {"--gracelands", "127.0.0.1:1", "--accounts", "7-5"}), 2);
  EXPECT_NE(err_.str().find("bad value '7-5' for --accounts"), std::string::npos) << err_.str();
}

TEST_F(LjCli, GenRefusesABadAccountWeighting) {
  for (const char* bad : {"zipf:0", "zipf", "pareto:1.1"}) {
    EXPECT_EQ(run(run_gen, {"--gracelands", "127.0.0.1:1", "--account-weights", bad}), 2) << bad;
    EXPECT_NE(err_.str().find("for --account-weights"), std::string::npos) << err_.str();
  }
}

TEST_F(LjCli, FetchHelpListsItsFlagsAndBadValuesAreRefused) {
  EXPECT_EQ(run(run_fetch, {"--help"}), 0);
  for (const char* flag :
       {"--parallel", "--status-every-s", "--metrics-file", "--once", "--syslog"}) {
    EXPECT_NE(out_.str().find(flag), std::string::npos) << flag;
  }
  spit(path("pw"), "secret\n");
  const std::vector<std::string> required = {
      "--url",    "https://h/1001_7/", "--user",  "u",         "--password-file",
      path("pw"), "--state",           path("s"), "--out-dir", path("o")};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = required;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  EXPECT_EQ(run(run_fetch, with({"--parallel", "0"})), 2);
  EXPECT_NE(err_.str().find("--parallel is 1 to 64"), std::string::npos) << err_.str();
  EXPECT_EQ(run(run_fetch, with({"--parallel", "65"})), 2);
  EXPECT_EQ(run(run_fetch, with({"--status-every-s", "0"})), 2);
  EXPECT_NE(err_.str().find("--status-every-s is 1 to 86400"), std::string::npos) << err_.str();
}

// The commands on CLI11 (prod/cmd/common/command_line.h): --help prints every flag and exits
// 0; a flag out of its set, a missing required one or a conflicting pair exits 2 naming it.
TEST_F(LjCli, CommandsAnswerHelpAndNameWhatIsWrong) {
  struct Help {
    int (*command)(std::span<const std::string_view>, std::ostream&, std::ostream&);
    std::vector<const char*> flags;
  };
  const std::vector<Help> helps = {
      {run_keygen, {"--private", "--public", "--bits", "--pkcs1"}},
      {run_cat, {"FILE", "--key", "--verify-only"}},
      {run_check, {"--gracelands", "--ledger", "--graceland-ca"}},
      {run_audit, {"--ledger", "--storage", "--customer", "--received", "--after-retention"}},
      {run_gen, {"--gracelands", "--accounts", "--account-weights", "--journal-dir"}},
      {run_ctl, {"--zookeeper", "--zk-auth", "add", "set", "status", "drain"}}};
  for (const Help& help : helps) {
    out_.str("");
    EXPECT_EQ(run(help.command, {"--help"}), 0);
    for (const char* flag : help.flags) EXPECT_NE(out_.str().find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(
      run(run_keygen, {"--private", path("k.pem"), "--public", path("k.pub"), "--bits", "1024"}),
      2);
  EXPECT_NE(err_.str().find("--bits: 1024 not in {2048,3072,4096}"), std::string::npos)
      << err_.str();
  EXPECT_EQ(run(run_check, {"--gracelands", "h:1", "--ledger", "l", "--graceland-ca", "ca"}), 2);
  EXPECT_NE(err_.str().find("--graceland-ca requires --graceland-"), std::string::npos)
      << err_.str();
  EXPECT_EQ(
      run(run_audit, {"--ledger", "l", "--received", "r", "--storage", "s", "--customer", "1"}), 2);
  EXPECT_NE(err_.str().find("excludes"), std::string::npos) << err_.str();
  EXPECT_EQ(run(run_cat, {}), 2);
  EXPECT_NE(err_.str().find("FILE is required"), std::string::npos) << err_.str();
  // lj ctl: each verb's own help; ZooKeeper's flags before or after the verb.
  EXPECT_EQ(run(run_ctl, {"add", "--help"}), 0);
  for (const char* flag :
       {"--account", "--format", "--generate-password", "--from", "--no-compress"}) {
    EXPECT_NE(out_.str().find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(run(run_ctl, {"add", "--account", "1", "--password-file", "p", "--generate-password",
                          "g", "--zookeeper", "127.0.0.1:1"}),
            2);
  EXPECT_NE(err_.str().find("--password-file excludes --generate-password"), std::string::npos)
      << err_.str();
  EXPECT_EQ(run(run_ctl, {"--zookeeper", "127.0.0.1:1", "drain"}), 2);
  EXPECT_NE(err_.str().find("--node is required"), std::string::npos) << err_.str();
}

// `lj ctl add --from FILE`: each line one customer's flags.
TEST(CtlFlagLine, PairsOfFlagAndValueOnly) {
  std::map<std::string, std::string> values;
  ASSERT_TRUE(
      parse_ctl_flag_line("--account 1001  --username siem-1001\t--roll-age-ms 1000", values));
  EXPECT_EQ(values,
            (std::map<std::string, std::string>{
                {"--account", "1001"}, {"--username", "siem-1001"}, {"--roll-age-ms", "1000"}}));
  ASSERT_TRUE(parse_ctl_flag_line("   ", values));
  EXPECT_TRUE(values.empty());
  ASSERT_TRUE(parse_ctl_flag_line("# account 1001 --account 1001", values));
  EXPECT_TRUE(values.empty());
  for (const char* bad :
       {"--account", "account 1001", "--account 1001 --account 1002", "--account 1 x y"}) {
    EXPECT_FALSE(parse_ctl_flag_line(bad, values)) << bad;
  }
}

}  // namespace
}  // namespace lj
