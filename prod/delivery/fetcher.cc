#include "prod/delivery/fetcher.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "prod/io/env.h"
#include "prod/io/invariant.h"
#include "prod/io/planted.h"
#include "prod/logfile/log_file_format.h"

namespace lj::delivery {

namespace {

constexpr Duration kStopCheckInterval = std::chrono::milliseconds(200);

std::string range_text(uint64_t first, uint64_t last) {
  return first == last ? std::to_string(first)
                       : std::to_string(first) + ".." + std::to_string(last);
}

}  // namespace

Fetcher::Fetcher(Executor& executor, Clock& clock, FileSystem& files, HttpClient& http,
                 LogSink& sink, const RsaPrivateKey* private_key, FetchOptions options)
    : clock_(clock),
      files_(files),
      http_(http),
      sink_(sink),
      private_key_(private_key),
      options_(std::move(options)),
      downloads_(executor, http, options_.credentials,
                 std::max<size_t>(1, options_.parallel_downloads)) {
  const std::optional<lumberjack::FolderName> folder =
      lumberjack::parse_folder_name(options_.folder);
  LJ_ASSERT(folder.has_value());
  LJ_ASSERT(options_.base_path.starts_with('/') && options_.base_path.ends_with('/'));
  LJ_ASSERT(!options_.state_path.empty());
  folder_ = *folder;
}

void Fetcher::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "lj fetch: %s\n", line.c_str());
  }
}

void Fetcher::note_problem(const std::string& what) {
  stats_.last_error = what;
  stats_.last_error_at_ms = clock_.wall_now_ms();
}

void Fetcher::log_problem(const std::string& line) {
  note_problem(line);
  log(line);
}

std::string Fetcher::url(std::string_view name) const {
  return options_.base_path + options_.folder + "/" + std::string(name);
}

std::string Fetcher::explain_status(int status, const std::string& what) const {
  const std::string prefix = what + ": HTTP " + std::to_string(status);
  switch (status) {
    case 401:
      return prefix + " (credentials refused: check the user name and password for folder " +
             options_.folder + ")";
    case 403:
      return prefix + " (forbidden: these credentials do not grant folder " + options_.folder + ")";
    case 404:
      return prefix + " (not there: not published yet, aged out, or a wrong URL)";
    case 429:
      return prefix + " (rate limited: slowing down)";
    default:
      break;
  }
  if (status >= 500) return prefix + " (server error: retrying)";
  return prefix + " (unexpected)";
}

Duration Fetcher::next_backoff() {
  backoff_ = backoff_.count() == 0 ? options_.backoff_initial
                                   : std::min(backoff_ * 2, options_.backoff_max);
  ++stats_.retries;
  return backoff_;
}

Task<void> Fetcher::pause(Duration duration) {
  const Duration until = clock_.monotonic_now() + duration;
  while (!stopping_) {
    const Duration now = clock_.monotonic_now();
    if (now >= until) break;
    co_await clock_.sleep_for(std::min(until - now, kStopCheckInterval));
  }
}

Task<Result<FetchState>> Fetcher::load_state() {
  Result<std::string> text = read_file(files_, options_.state_path);
  if (!text.ok()) {
    if (text.code() != ErrorCode::kNotFound) co_return text.error();
    FetchState fresh;
    fresh.folder = options_.folder;
    co_return fresh;
  }
  Result<FetchState> state = FetchState::decode(*text);
  if (!state.ok())
    co_return Error(state.code(), options_.state_path + ": " + state.error().message());
  if (state->folder != options_.folder) {
    co_return Error(ErrorCode::kInvalidArgument, options_.state_path + " is the state of folder " +
                                                     state->folder + ", not " + options_.folder +
                                                     ": use one state file per folder");
  }
  co_return state;
}

Task<Status> Fetcher::run() {
  Status result = co_await run_polls();
  if (!result.ok()) note_problem(result.to_string());  // what ends the run is the last problem too
  downloads_.clear();
  co_await downloads_.drain();  // none may outlive the HttpClient (download_window.h)
  co_return result;
}

Task<Status> Fetcher::run_polls() {
  const std::string state_dir = parent_dir(options_.state_path);  // (named: GCC 12, co_await)
  if (Status s = co_await create_dir_durably(files_, state_dir); !s.ok()) co_return s;
  Result<FetchState> state = co_await load_state();
  if (!state.ok()) co_return state.error();
  state_ = std::move(*state);
  // The state read may be only in the page cache: a predecessor killed after renaming it into
  // place, before its directory sync. Files delivered from here on would rest on it, and a power
  // loss would then take it back past more than the one file a crash may deliver again. So it is
  // written again, durably (fresh pages: a sync of pages an earlier failed fsync dropped proves
  // nothing), before anything is delivered.
  while (state_.last_seq > 0 && !stopping_) {
    const std::string encoded = state_.encode();
    Status saved = co_await write_file_atomically(files_, options_.state_path,
                                                  std::as_bytes(std::span(encoded)));
    if (saved.ok()) break;
    log_problem(options_.state_path + ": saving the state read back: " + saved.to_string());
    co_await clock_.sleep_for(options_.backoff_initial);
  }
  stats_.last_seq = state_.last_seq;
  log("folder " + options_.folder + ": resuming after file " + std::to_string(state_.last_seq));
  while (!stopping_) {
    Result<Step> step = co_await poll_once();
    // A retry reads the index again: what was downloaded ahead of it is dropped.
    if (!step.ok() || *step == Step::kRetry) downloads_.clear();
    if (!step.ok()) co_return step.error();
    if (options_.max_files != 0 && stats_.files >= options_.max_files) break;
    switch (*step) {
      case Step::kProgress:
        break;
      case Step::kNothingNew:
        if (options_.until_caught_up) co_return Status();
        co_await pause(options_.poll_interval);
        break;
      case Step::kRetry: {
        const Duration wait = next_backoff();
        log("retrying in " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()) +
            " ms");
        co_await pause(wait);
        break;
      }
    }
  }
  co_return Status();
}

Task<Result<Fetcher::Step>> Fetcher::poll_once() {
  const std::string index_url = url(std::string(lumberjack::kIndexLeaf));
  Result<HttpResponse> index = co_await http_.get(index_url, options_.credentials);
  if (!index.ok()) {
    log_problem(index_url + ": " + index.error().to_string());
    co_return Step::kRetry;
  }
  if (index->status != 200) {
    log_problem(explain_status(index->status, index_url));
    co_return Step::kRetry;
  }
  Result<std::vector<uint64_t>> seqs =
      lumberjack::parse_logs_index(index->body, folder_.account_id);
  if (!seqs.ok()) {
    log_problem(index_url + ": " + seqs.error().to_string());
    co_return Step::kRetry;
  }
  std::vector<uint64_t> wanted;
  for (uint64_t seq : *seqs) {
    if (seq > state_.last_seq) wanted.push_back(seq);
  }
  note_listed(*seqs, !wanted.empty());
  if (!seqs->empty() && seqs->back() < state_.last_seq) {
    log(index_url + " lists files up to " + std::to_string(seqs->back()) + " but file " +
        std::to_string(state_.last_seq) + " was processed already: waiting for new files");
  }
  if (wanted.empty()) {
    backoff_ = Duration(0);
    co_return Step::kNothingNew;
  }
  // Lumberjack lists every file in order, and retention removes only from the head: files
  // missing between our position and the first new entry aged out only if the index lists
  // nothing at or before our position; otherwise, and anywhere inside the new entries, a hole
  // is damage or tampering, and the files after it wait until it is filled. (Holes below what
  // this downloader processed are no longer its business.)
  const bool lists_our_position = seqs->front() <= state_.last_seq;
  std::optional<uint64_t> hole = lumberjack::first_missing(wanted);
  if (wanted.front() > state_.last_seq + 1) {
    if (lists_our_position) {
      hole = state_.last_seq + 1;
    } else {
      const uint64_t first_lost = state_.last_seq + 1, last_lost = wanted.front() - 1;
      log_problem(
          "warning: files " + range_text(first_lost, last_lost) + " of folder " + options_.folder +
          " are no longer listed (aged out before they were downloaded); continuing with file " +
          std::to_string(wanted.front()));
      stats_.skipped += last_lost - first_lost + 1;
    }
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    const uint64_t seq = wanted[i];
    if (hole && seq > *hole) {
      ++stats_.index_gaps;
      const uint64_t next_listed = *std::lower_bound(wanted.begin(), wanted.end(), *hole);
      log_problem("error: " + index_url + " lists no file " + range_text(*hole, next_listed - 1) +
                  " but lists " + std::to_string(next_listed) +
                  ": not going past the gap (files up to " + std::to_string(*hole - 1) +
                  " are delivered)");
      co_return Step::kRetry;
    }
    if (stopping_) break;
    download_ahead(wanted, i, hole);
    Result<Step> step = co_await process(seq);
    if (!step.ok() || *step != Step::kProgress) co_return step;
    backoff_ = Duration(0);
    if (options_.max_files != 0 && stats_.files >= options_.max_files) break;
  }
  co_return Step::kProgress;
}

void Fetcher::note_listed(const std::vector<uint64_t>& listed, bool anything_wanted) {
  if (!listed.empty()) stats_.listed_through = listed.back();
  if (!anything_wanted) {
    stats_.behind_since.reset();
  } else if (!stats_.behind_since) {
    stats_.behind_since = clock_.monotonic_now();
  }
}

void Fetcher::download_ahead(const std::vector<uint64_t>& wanted, size_t next,
                             std::optional<uint64_t> stop_before) {
  uint64_t room = options_.max_files == 0
                      ? wanted.size()
                      : options_.max_files - std::min(options_.max_files, stats_.files);
  for (size_t i = next; i < wanted.size() && room > 0 && downloads_.held() < downloads_.limit();
       ++i, --room) {
    if (stop_before && wanted[i] > *stop_before)
      break;  // past a hole: not delivered until it is filled
    downloads_.start(wanted[i], url(log_file_name(folder_.account_id, wanted[i])));
  }
}

Task<Result<Fetcher::Step>> Fetcher::process(uint64_t seq) {
  const std::string name = log_file_name(folder_.account_id, seq);
  const std::string file_url = url(name);
  Result<HttpResponse> response = co_await downloads_.take(seq, file_url);
  if (!response.ok()) {
    log_problem(file_url + ": " + response.error().to_string());
    co_return Step::kRetry;
  }
  if (response->status != 200) {
    log_problem(explain_status(response->status, file_url));
    co_return Step::kRetry;
  }
  Result<DecodedLogFile> decoded =
      read_log_file(response->body, private_key_, options_.read_limits);
  if (!decoded.ok()) {
    if (decoded.code() == ErrorCode::kPermissionDenied ||
        decoded.code() == ErrorCode::kInvalidArgument) {
      co_return Error(decoded.code(),
                      file_url + ": " + decoded.error().message() +
                          " (is --key the private key of this folder's public key?)");
    }
    log_problem(file_url + ": " + decoded.error().to_string() + " (downloading it again)");
    co_return Step::kRetry;
  }
  if (Status accepted =
          accept_file(*decoded, folder_.account_id, folder_.config_id, seq, options_.acceptance);
      !accepted.ok()) {
    ++stats_.refused;
    log_problem("error: " + file_url + ": " + accepted.error().message() +
                " (not delivering it; retrying)");
    co_return Step::kRetry;
  }
  // The sink first, then the state that says it has the file: a crash between the two
  // delivers the file again (the sink's own duplicate window), never skips it.
  const bool deliver_first = !LJ_PLANTED(kStateBeforeDelivery);
  if (deliver_first) {
    if (Status s = co_await sink_.deliver(seq, *decoded); !s.ok()) {
      log_problem(file_url + ": delivering: " + s.to_string());
      co_return Step::kRetry;
    }
  }
  // Crash point: between the sink's write and the saved state.
  co_await crash_point(options_.fault_points, "crash.fetch.before-saving-state");
  FetchState next = state_;
  next.last_seq = seq;
  const std::string encoded = next.encode();
  if (Status s = co_await write_file_atomically(files_, options_.state_path,
                                                std::as_bytes(std::span(encoded)));
      !s.ok()) {
    // The sink has the file; delivering it again after the retry is what a crash here does too.
    log_problem(options_.state_path + ": saving the state: " + s.to_string());
    co_return Step::kRetry;
  }
  if (!deliver_first) {
    co_await crash_point(options_.fault_points, "crash.fetch.before-delivering");
    if (Status s = co_await sink_.deliver(seq, *decoded); !s.ok()) {
      log_problem(file_url + ": delivering: " + s.to_string());
      co_return Step::kRetry;
    }
  }
  state_ = std::move(next);
  if (seq >= stats_.listed_through) stats_.behind_since.reset();  // caught up with the index
  ++stats_.files;
  stats_.events += decoded->events.size();
  stats_.last_seq = seq;
  log("file " + std::to_string(seq) + ": " + std::to_string(decoded->events.size()) + " events");
  co_return Step::kProgress;
}

}  // namespace lj::delivery
