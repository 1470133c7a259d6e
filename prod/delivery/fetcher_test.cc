// The customer downloader against a scripted HttpClient, on a simulated node (virtual time for
// the backoffs, a disk that loses unsynced data on a crash): files in order, resume without a
// gap or a repeat, both encodings, every HTTP failure retried with a message, crashes.
#include "prod/delivery/fetcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "prod/delivery/log_sinks.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"
#include "sim/sim_node.h"

namespace lj::delivery {
namespace {

constexpr int64_t kSecond_ns = 1'000'000'000;
constexpr uint64_t kAccount = 1001;

// Serves a folder like nginx does: the credentials or 401, the file or 404. Answers queued in
// `next` come first, whatever the path.
class ScriptedHttp final : public HttpClient {
 public:
  Task<Result<HttpResponse>> get(const std::string& path,
                                 const BasicCredentials& credentials) override {
    requested.push_back(path);
    if (clock != nullptr) {  // a transfer that takes time, so downloads can overlap
      ++in_flight;
      max_in_flight = std::max(max_in_flight, in_flight);
      auto special = path_latency.find(path);
      co_await clock->sleep_for(special != path_latency.end() ? special->second : latency);
      --in_flight;
    }
    if (!next.empty()) {
      Result<HttpResponse> answer = next.front();
      next.pop_front();
      co_return answer;
    }
    if (credentials.username != "alice" || credentials.password != "secret")
      co_return HttpResponse{401, "no"};
    auto file = files.find(path);
    if (file == files.end()) co_return HttpResponse{404, "not found"};
    co_return HttpResponse{200, file->second};
  }

  std::map<std::string, std::string> files;
  std::deque<Result<HttpResponse>> next;
  std::vector<std::string> requested;
  Clock* clock = nullptr;  // set: every answer takes `latency`
  Duration latency{0};
  std::map<std::string, Duration> path_latency;  // these paths take their own time
  int in_flight = 0;
  int max_in_flight = 0;
};

// Records what reached it, outside the simulated node, so it survives the node's crashes.
class LedgerSink final : public LogSink {
 public:
  explicit LedgerSink(LogSink* inner = nullptr) : inner_(inner) {}
  Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) override {
    if (!fail_next.ok()) {
      Status failure = fail_next;
      fail_next = Status();
      co_return failure;
    }
    if (inner_ != nullptr) {
      if (Status s = co_await inner_->deliver(seq, file); !s.ok()) co_return s;
    }
    deliveries[seq] += 1;
    for (const AttackEvent& event : file.events) events.push_back(event.id);
    co_return Status();
  }
  std::map<uint64_t, int> deliveries;
  std::vector<EventId> events;
  Status fail_next;

 private:
  LogSink* inner_;
};

class FetcherTest : public ::testing::Test {
 protected:
  FetcherTest() : simulation_(21), random_(77) {
    node_ = &simulation_.add_node("customer", nullptr);
    node_->start();
  }

  // Publishes file `seq` with `events` events, as Lumberjack would, and lists it in the index.
  void publish(uint64_t seq, int events, BodyEncoding encoding = BodyEncoding::kModern,
               LogFormat format = LogFormat::kCef) {
    std::vector<AttackEvent> batch;
    for (int i = 0; i < events; ++i) {
      batch.push_back(
          make_sample_event(random_, kAccount, EventId{1, next_event_++}, 1'764'000'000'000 + i));
    }
    LogFileSpec spec;
    spec.account_id = kAccount;
    spec.config_id = 7;
    spec.seq = seq;
    spec.format = format;
    spec.encoding = encoding;
    spec.public_key_pem = std::string(test_key_pairs()[0].public_pem);
    spec.start_time_ms = batch.front().start_ms;
    spec.end_time_ms = batch.back().start_ms;
    Result<std::string> file = writer_.write(spec, batch, random_);
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    const std::string name = log_file_name(kAccount, seq);
    http_.files["/1001_7/" + name] = *file;
    http_.files["/1001_7/logs.index"] += name + "\n";
    for (const AttackEvent& e : batch) published_.push_back(e.id);
  }

  FetchOptions options() {
    FetchOptions o;
    o.folder = "1001_7";
    o.credentials = {"alice", "secret"};
    o.state_path = "state/1001_7.state";
    o.poll_interval = std::chrono::seconds(5);
    o.until_caught_up = true;
    // Scripted answers (http_.next) are taken in request order: one download at a time here;
    // the tests of parallel catch-up ask for more.
    o.parallel_downloads = 1;
    o.log = [this](const std::string& line) { log_.push_back(line); };
    return o;
  }

  // For a folder in the legacy encoding too (the tests that mix them).
  FetchOptions both_encodings() {
    FetchOptions o = options();
    o.acceptance.accept_imperva = true;
    return o;
  }

  // Runs a fresh Fetcher (as a restarted process would) until it returns.
  Status fetch(FetchOptions o, LogSink& sink, const RsaPrivateKey* key) {
    std::optional<Status> result;
    Env env = node_->env();
    auto& fetcher = node_->keep(
        std::make_unique<Fetcher>(*node_, env.clock, env.files, http_, sink, key, std::move(o)));
    node_->spawn([](Fetcher& f, std::optional<Status>& out) -> Task<void> {
      out.emplace(co_await f.run());
    }(fetcher, result));
    const bool done = simulation_.run_until([&] { return result.has_value(); },
                                            simulation_.now_ns() + 3600 * kSecond_ns);
    EXPECT_TRUE(done) << "fetch did not return; its log:\n" << log_text();
    if (!done) return Error(ErrorCode::kTimedOut, "test: fetch hung");
    last_stats_ = fetcher.stats();
    return *result;
  }

  // Runs a fresh Fetcher for `duration` of simulated time, then stops it (one that would retry
  // for ever: a refused file, a gap).
  void fetch_for(FetchOptions o, LogSink& sink, const RsaPrivateKey* key, Duration duration) {
    o.until_caught_up = false;
    Env env = node_->env();
    auto& fetcher = node_->keep(
        std::make_unique<Fetcher>(*node_, env.clock, env.files, http_, sink, key, std::move(o)));
    bool done = false;
    node_->spawn([](Fetcher& f, bool& out) -> Task<void> {
      (void)co_await f.run();
      out = true;
    }(fetcher, done));
    simulation_.run_until([] { return false; }, simulation_.now_ns() + duration.count());
    fetcher.stop();
    EXPECT_TRUE(
        simulation_.run_until([&] { return done; }, simulation_.now_ns() + 3600 * kSecond_ns));
    last_stats_ = fetcher.stats();
  }

  // Publishes files 1..`published` (2 events each), then fetches the first `fetched` of them.
  void publish_and_fetch_first(uint64_t published, uint64_t fetched, LogSink& sink) {
    for (uint64_t seq = 1; seq <= published; ++seq) publish(seq, 2);
    FetchOptions first = options();
    first.max_files = fetched;
    ASSERT_TRUE(fetch(first, sink, &key()).ok());
  }

  const RsaPrivateKey& key() {
    if (!key_) key_ = RsaPrivateKey::from_pem(test_key_pairs()[0].private_pkcs8_pem).value();
    return *key_;
  }
  bool logged(std::string_view text) const {
    for (const std::string& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string log_text() const {
    std::string text;
    for (const std::string& line : log_) text += line + "\n";
    return text;
  }
  std::string state() { return read_file(node_->env().files, "state/1001_7.state").value(); }

  sim::Simulation simulation_;
  sim::SimNode* node_ = nullptr;
  SplitMix64 random_;
  LogFileWriter writer_;
  ScriptedHttp http_;
  uint64_t next_event_ = 1;
  std::vector<EventId> published_;
  std::vector<std::string> log_;
  std::optional<RsaPrivateKey> key_;
  FetchStats last_stats_;
};

TEST(FetchState, RoundTripsAndRejectsDamage) {
  const FetchState state{"1001_7", 12};
  EXPECT_EQ(state.encode(), "folder=1001_7\nlast_seq=12\n");
  EXPECT_EQ(FetchState::decode(state.encode()).value(), state);
  EXPECT_EQ(FetchState::decode("folder=1_1\nlast_seq=0\n").value(), (FetchState{"1_1", 0}));
  for (const std::string bad :
       {"", "folder=1001_7\n", "last_seq=3\n", "folder=1001_7\nlast_seq=x\n",
        "folder=1001_7\nlast_seq=-1\n", "folder=../x\nlast_seq=1\n",
        "folder=1001_7\nlast_seq=1\nlast_seq=2\n", "folder=1001_7\nlast_seq=01\n",
        "folder=1001_7\nlast_seq=1\nextra=1\n"}) {
    EXPECT_FALSE(FetchState::decode(bad).ok()) << bad;
  }
}

TEST_F(FetcherTest, DownloadsVerifiesAndDeliversEveryFileInOrderInBothEncodings) {
  publish(1, 3, BodyEncoding::kModern, LogFormat::kCef);
  publish(2, 4, BodyEncoding::kImpervaCompatible, LogFormat::kCef);
  publish(3, 2, BodyEncoding::kModern, LogFormat::kW3c);
  publish(4, 5, BodyEncoding::kImpervaCompatible, LogFormat::kW3c);
  DirectorySink directory(node_->env().files, "out");
  LedgerSink ledger(&directory);
  ASSERT_TRUE(fetch(both_encodings(), ledger, &key()).ok());
  EXPECT_EQ(ledger.events, published_);
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}}));
  EXPECT_EQ(state(), "folder=1001_7\nlast_seq=4\n");
  const std::string cef = read_file(node_->env().files, "out/1001_2.cef").value();
  EXPECT_EQ(std::count(cef.begin(), cef.end(), '\n'), 4);
  EXPECT_TRUE(cef.starts_with("CEF:0|"));
  const std::string w3c = read_file(node_->env().files, "out/1001_3.w3c").value();
  EXPECT_TRUE(w3c.starts_with("#")) << w3c.substr(0, 40);
}

TEST_F(FetcherTest, ResumesAfterTheLastFileWithoutAGapOrARepeat) {
  LedgerSink ledger;
  publish_and_fetch_first(5, 2, ledger);
  EXPECT_EQ(last_stats_.files, 2u);
  EXPECT_EQ(state(), "folder=1001_7\nlast_seq=2\n");
  publish(6, 1);
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(ledger.events, published_);
  for (const auto& [seq, times] : ledger.deliveries) EXPECT_EQ(times, 1) << "file " << seq;
  EXPECT_EQ(ledger.deliveries.size(), 6u);
  // Caught up: nothing more to do, nothing downloaded but the index.
  http_.requested.clear();
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(http_.requested, std::vector<std::string>{"/1001_7/logs.index"});
}

TEST_F(FetcherTest, RetriesEveryHttpFailureWithAMessageAndBackoff) {
  publish(1, 1);
  publish(2, 1);
  http_.next = {HttpResponse{401, ""},
                HttpResponse{429, ""},
                HttpResponse{503, ""},
                Error(ErrorCode::kConnectionRefused, "connect lb:443: refused"),
                HttpResponse{200, "garbage index\n"},
                HttpResponse{200, "1001_1.log\n1001_2.log\n"},
                HttpResponse{404, ""},  // file 1, listed but not there (yet)
                HttpResponse{200, "1001_1.log\n1001_2.log\n"},
                HttpResponse{200, "truncated"}};  // file 1 again: fails to verify
  LedgerSink ledger;
  const int64_t started_ns = simulation_.now_ns();
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(ledger.events, published_);
  EXPECT_TRUE(logged("HTTP 401 (credentials refused"));
  EXPECT_TRUE(logged("HTTP 429 (rate limited"));
  EXPECT_TRUE(logged("HTTP 503 (server error"));
  EXPECT_TRUE(logged("connection refused"));
  EXPECT_TRUE(logged("logs.index line 1"));
  EXPECT_TRUE(logged("1001_1.log: HTTP 404"));
  EXPECT_TRUE(logged("downloading it again"));
  EXPECT_EQ(last_stats_.retries, 7u);
  // Backoff doubles: 1+2+4+8+16+32+60 s at least.
  EXPECT_GE(simulation_.now_ns() - started_ns, 123 * kSecond_ns);
}

TEST_F(FetcherTest, ASinkFailureIsRetriedNotSkipped) {
  publish(1, 2);
  LedgerSink ledger;
  ledger.fail_next = Error(ErrorCode::kDiskFull, "out/1001_1.cef");
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}}));
  EXPECT_TRUE(logged("delivering: disk full"));
}

TEST_F(FetcherTest, SkipsFilesAgedOutBeforeTheyWereDownloadedAndSaysSo) {
  for (uint64_t seq = 1; seq <= 5; ++seq) publish(seq, 1);
  http_.files["/1001_7/logs.index"] = "1001_4.log\n1001_5.log\n";  // retention removed 1-3
  LedgerSink ledger;
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{4, 1}, {5, 1}}));
  EXPECT_TRUE(logged("warning: files 1..3 of folder 1001_7 are no longer listed"));
  EXPECT_EQ(last_stats_.skipped, 3u);
}

TEST_F(FetcherTest, StopsWithAClearErrorForTheWrongKeyOrAnotherFoldersState) {
  publish(1, 1);
  LedgerSink ledger;
  const RsaPrivateKey other =
      RsaPrivateKey::from_pem(test_key_pairs()[1].private_pkcs8_pem).value();
  Status wrong_key = fetch(options(), ledger, &other);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong_key.error().message().find("is --key the private key"), std::string::npos);
  EXPECT_TRUE(ledger.deliveries.empty());
  // What ended the run is its last problem too (the status line and metrics say so).
  EXPECT_NE(last_stats_.last_error.find("is --key the private key"), std::string::npos)
      << last_stats_.last_error;
  EXPECT_GT(last_stats_.last_error_at_ms, 0);

  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  FetchOptions elsewhere = options();
  elsewhere.folder = "1001_8";
  Status mixed = fetch(elsewhere, ledger, &key());
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message().find("is the state of folder 1001_7"), std::string::npos);
}

// Whoever writes the storage cannot pass a file off as another, weaken it, or hide one: each
// is refused with its reason and retried, and nothing at or past it is delivered.
TEST_F(FetcherTest, RefusesAReplayedFileADowngradeAndGoesNoFurtherThanAGap) {
  for (uint64_t seq = 1; seq <= 3; ++seq) publish(seq, 1);
  const std::string real_two = http_.files["/1001_7/1001_2.log"];
  http_.files["/1001_7/1001_2.log"] = http_.files["/1001_7/1001_3.log"];  // file 3 served as 2
  LedgerSink ledger;
  fetch_for(options(), ledger, &key(), std::chrono::seconds(30));
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}}));
  EXPECT_TRUE(
      logged("the file says it is file 3, not file 2 of folder 1001_7: copied or replayed"));
  EXPECT_GE(last_stats_.refused, 2u);

  // File 2 in the legacy encoding (unauthenticated, no seq): refused unless accepted.
  publish(2, 1, BodyEncoding::kImpervaCompatible);
  http_.files["/1001_7/logs.index"] = "1001_1.log\n1001_2.log\n1001_3.log\n";
  fetch_for(options(), ledger, &key(), std::chrono::seconds(30));
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}}));
  EXPECT_TRUE(logged("legacy Imperva-compatible encoding (unauthenticated): refused"));

  // The real file 2 back, and an index that skips file 4 to list 5: 2 and 3 go, 5 waits.
  http_.files["/1001_7/1001_2.log"] = real_two;
  publish(4, 1);
  publish(5, 1);
  http_.files["/1001_7/logs.index"] = "1001_1.log\n1001_2.log\n1001_3.log\n1001_5.log\n";
  fetch_for(options(), ledger, &key(), std::chrono::seconds(30));
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_TRUE(logged("lists no file 4 but lists 5: not going past the gap"));
  EXPECT_GE(last_stats_.index_gaps, 1u);
  EXPECT_EQ(state(), "folder=1001_7\nlast_seq=3\n");
  // Next time, the gap right after the downloader's position is still a gap (the index lists
  // files before it: retention did not take file 4).
  fetch_for(options(), ledger, &key(), std::chrono::seconds(10));
  EXPECT_GT(last_stats_.index_gaps, 0u);
  EXPECT_EQ(last_stats_.skipped, 0u);
  EXPECT_FALSE(ledger.deliveries.contains(5));
}

// Far behind, files are downloaded several at once and still delivered one by one, in order,
// each once: twelve files of 200 ms each take about three rounds, not twelve.
TEST_F(FetcherTest, FarBehindItDownloadsSeveralFilesAtOnceAndDeliversThemInOrder) {
  constexpr uint64_t kFiles = 12;
  for (uint64_t seq = 1; seq <= kFiles; ++seq) publish(seq, 2);
  http_.clock = &node_->env().clock;
  http_.latency = std::chrono::milliseconds(200);
  FetchOptions o = options();
  o.parallel_downloads = 4;
  LedgerSink ledger;
  const int64_t started_ns = simulation_.now_ns();
  ASSERT_TRUE(fetch(o, ledger, &key()).ok()) << log_text();
  EXPECT_EQ(ledger.events, published_);  // every event, in the order published
  for (const auto& [seq, times] : ledger.deliveries) EXPECT_EQ(times, 1) << "file " << seq;
  EXPECT_EQ(ledger.deliveries.size(), kFiles);
  EXPECT_EQ(http_.max_in_flight, 4);
  // Two index reads (the last finds nothing new) and three rounds of four files, ~1 s; one by
  // one it would be 2.8 s.
  EXPECT_LT(simulation_.now_ns() - started_ns, 1'600'000'000);
  EXPECT_EQ(state(), "folder=1001_7\nlast_seq=12\n");
  EXPECT_EQ(last_stats_.listed_through, kFiles);
  EXPECT_FALSE(last_stats_.behind_since.has_value());
}

// A file that keeps failing is retried, and the downloads a retry abandoned still count while
// they run: never more than the window at once (here file 1 answers at once, and badly, while
// 2-4 take 3 s; each retry would otherwise start three more).
TEST_F(FetcherTest, RetriesNeverRunMoreDownloadsThanTheWindow) {
  for (uint64_t seq = 1; seq <= 8; ++seq) publish(seq, 1);
  http_.files["/1001_7/1001_1.log"] = "truncated";
  http_.clock = &node_->env().clock;
  http_.latency = std::chrono::seconds(3);
  http_.path_latency = {{"/1001_7/logs.index", std::chrono::milliseconds(1)},
                        {"/1001_7/1001_1.log", std::chrono::milliseconds(1)}};
  FetchOptions o = options();
  o.parallel_downloads = 4;
  o.backoff_initial = std::chrono::milliseconds(100);
  LedgerSink ledger;
  fetch_for(o, ledger, &key(), std::chrono::seconds(20));
  EXPECT_GE(last_stats_.retries, 4u);
  EXPECT_TRUE(ledger.deliveries.empty());
  EXPECT_LE(http_.max_in_flight, 4);
}

// Nothing past a hole in the index is downloaded, and no more than --max-files.
TEST_F(FetcherTest, ItDownloadsAheadNeitherPastAGapNorBeyondMaxFiles) {
  for (uint64_t seq = 1; seq <= 6; ++seq) publish(seq, 1);
  http_.files["/1001_7/logs.index"] =
      "1001_1.log\n1001_2.log\n1001_4.log\n1001_5.log\n1001_6.log\n";
  FetchOptions o = options();
  o.parallel_downloads = 8;
  LedgerSink ledger;
  fetch_for(o, ledger, &key(), std::chrono::seconds(5));
  EXPECT_EQ(ledger.deliveries, (std::map<uint64_t, int>{{1, 1}, {2, 1}}));
  for (const std::string& path : http_.requested) {
    EXPECT_TRUE(path.find("1001_4.log") == std::string::npos &&
                path.find("1001_5.log") == std::string::npos)
        << "downloaded past the gap: " << path;
  }
  EXPECT_TRUE(logged("lists no file 3 but lists 4"));
  EXPECT_NE(last_stats_.last_error.find("not going past the gap"), std::string::npos);
  EXPECT_TRUE(last_stats_.behind_since.has_value());  // files 4-6 wait

  http_.files["/1001_7/logs.index"] =
      "1001_1.log\n1001_2.log\n1001_3.log\n1001_4.log\n1001_5.log\n1001_6.log\n";
  http_.requested.clear();
  o.max_files = 2;
  ASSERT_TRUE(fetch(o, ledger, &key()).ok());
  EXPECT_EQ(http_.requested, (std::vector<std::string>{"/1001_7/logs.index", "/1001_7/1001_3.log",
                                                       "/1001_7/1001_4.log"}));
}

TEST(FileAcceptance, AnUnencryptedFileNeedsTheCustomersSay) {
  DecodedLogFile file;
  file.header.account_id = 1001;
  file.header.config_id = 7;
  file.header.seq = 4;
  file.encrypted = false;
  EXPECT_EQ(accept_file(file, 1001, 7, 4, FileAcceptance{}).code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(accept_file(file, 1001, 7, 4, FileAcceptance{true, false}).ok());
  file.encrypted = true;
  EXPECT_TRUE(accept_file(file, 1001, 7, 4, FileAcceptance{}).ok());
  EXPECT_EQ(accept_file(file, 1002, 7, 4, FileAcceptance{}).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(accept_file(file, 1001, 8, 4, FileAcceptance{}).code(), ErrorCode::kPermissionDenied);
}

// Power loss at a random moment, many times over: after each restart the downloader goes on
// from its state file, and the output directory ends with every file exactly once, intact.
// A predecessor killed after renaming its state into place, before the directory sync, leaves
// a state only the page cache holds (seed 2024001094: the restarted downloader went on from
// it, a power loss then took it back two files, and the customer got file 1 again after file
// 2). The downloader writes what it resumes from again, durably, before delivering anything.
TEST_F(FetcherTest, ResumesOnlyFromAStateMadeDurable) {
  LedgerSink ledger;
  publish_and_fetch_first(3, 1, ledger);
  ASSERT_EQ(state(), "folder=1001_7\nlast_seq=1\n");
  // What the killed predecessor left after delivering files 2 and 3: renamed, never synced.
  FileSystem& files = node_->env().files;
  auto tmp = files.open("state/1001_7.state.tmp", OpenMode::kTruncate);
  ASSERT_TRUE(tmp.ok());
  const std::string volatile_state = "folder=1001_7\nlast_seq=3\n";
  ASSERT_TRUE((*tmp)->append(std::as_bytes(std::span(volatile_state))).ok());
  ASSERT_TRUE(files.rename("state/1001_7.state.tmp", "state/1001_7.state").ok());
  // The restarted downloader finds nothing new to deliver; then the power goes.
  ASSERT_TRUE(fetch(options(), ledger, &key()).ok());
  EXPECT_EQ(last_stats_.files, 0u);
  node_->crash();
  node_->start();
  EXPECT_EQ(state(), volatile_state) << "the state resumed from was not made durable";
}

TEST_F(FetcherTest, CrashesAnywhereLoseNothingAndRepeatNothingInTheOutput) {
  constexpr uint64_t kFiles = 12;
  for (uint64_t seq = 1; seq <= kFiles; ++seq)
    publish(seq, 3, seq % 2 ? BodyEncoding::kModern : BodyEncoding::kImpervaCompatible);
  LedgerSink ledger;
  SplitMix64 crash_random(5);
  int crashes = 0;
  for (int round = 0; round < 40; ++round) {
    std::optional<Status> result;
    Env env = node_->env();
    auto& sink = node_->keep(std::make_unique<DirectorySink>(env.files, "out"));
    auto& counted = node_->keep(std::make_unique<LedgerSink>(&sink));
    FetchOptions o = both_encodings();
    o.parallel_downloads = 4;  // a crash may land with downloads ahead of the file delivered
    auto& fetcher = node_->keep(
        std::make_unique<Fetcher>(*node_, env.clock, env.files, http_, counted, &key(), o));
    node_->spawn([](Fetcher& f, std::optional<Status>& out) -> Task<void> {
      out.emplace(co_await f.run());
    }(fetcher, result));
    simulation_.run_for(std::chrono::microseconds(crash_random.next_u64() % 3000));
    for (const auto& [seq, times] : counted.deliveries) ledger.deliveries[seq] += times;
    if (result.has_value()) {
      ASSERT_TRUE(result->ok()) << result->to_string();
      break;
    }
    node_->crash();
    node_->start();
    ++crashes;
  }
  EXPECT_GE(crashes, 5) << "the test should crash the downloader mid-way, repeatedly";
  // Whatever happened, one last run finishes the job.
  DirectorySink sink(node_->env().files, "out");
  LedgerSink last(&sink);
  ASSERT_TRUE(fetch(both_encodings(), last, &key()).ok());
  for (const auto& [seq, times] : last.deliveries) ledger.deliveries[seq] += times;

  EXPECT_EQ(state(), "folder=1001_7\nlast_seq=" + std::to_string(kFiles) + "\n");
  for (uint64_t seq = 1; seq <= kFiles; ++seq) {
    EXPECT_GE(ledger.deliveries[seq], 1) << "file " << seq;
    const std::string name = log_file_name(kAccount, seq);
    auto decoded = read_log_file(http_.files["/1001_7/" + name], &key());
    ASSERT_TRUE(decoded.ok());
    Result<std::string> out = read_file(
        node_->env().files, "out/" + DirectorySink::output_name(kAccount, seq, LogFormat::kCef));
    ASSERT_TRUE(out.ok()) << "file " << seq << ": " << out.error().to_string();
    EXPECT_EQ(*out, decoded->plaintext) << "file " << seq;
  }
  EXPECT_EQ(node_->env().files.list("out").value().size(), kFiles)
      << "one output per file, no temp files left over";
}

TEST(SyslogFrame, IsOctetCountedRfc5424) {
  SyslogOptions options;
  options.hostname = "siem-feed";
  const std::string frame =
      syslog_frame("CEF:0|Imperva|x\nmore", 1'764'000'000'123, "CEF", options);
  const std::string message =
      "<134>1 2025-11-24T16:00:00.123Z siem-feed lumberjack - CEF - CEF:0|Imperva|x more";
  EXPECT_EQ(frame, std::to_string(message.size()) + " " + message);
  const std::string nil = "<134>1 - - lumberjack - W3C - x";
  EXPECT_EQ(syslog_frame("x", -1, "W3C", SyslogOptions{}), std::to_string(nil.size()) + " " + nil);
}

TEST(DirectorySinkNames, OneExtensionPerFormat) {
  EXPECT_EQ(DirectorySink::output_name(1001, 3, LogFormat::kCef), "1001_3.cef");
  EXPECT_EQ(DirectorySink::output_name(1001, 3, LogFormat::kW3c), "1001_3.w3c");
  EXPECT_EQ(DirectorySink::output_name(1001, 3, LogFormat::kLeef), "1001_3.leef");
  EXPECT_EQ(DirectorySink::output_name(1001, 3, LogFormat::kJson), "1001_3.json");
}

}  // namespace
}  // namespace lj::delivery
