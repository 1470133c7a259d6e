#include "sim/scenarios/stream_destination.h"

#include <cstdio>
#include <vector>

#include "prod/audit/syslog_received.h"
#include "prod/delivery/push_payloads.h"
#include "prod/io/distributions.h"

namespace lj::sim {

StreamDestination::StreamDestination(ObjectStore& store, std::string folder,
                                     const RsaPrivateKey& push_key,
                                     std::function<uint64_t()> next_session, Random& cuts)
    : store_(store),
      folder_(std::move(folder)),
      push_key_(push_key),
      next_session_(std::move(next_session)),
      cuts_(cuts) {}

Task<Status> StreamDestination::put(const std::string& name, std::string contents) {
  delivery::SyslogOptions options;
  options.hostname = "lumberjack";
  Result<std::string> frames = delivery::syslog_push_frames(name, contents, &push_key_, options);
  if (!frames.ok()) co_return frames.error();
  // The message boundaries; the cut is one of them (the end: the session was not cut).
  std::vector<size_t> ends;
  size_t at = 0;
  const std::string_view stream = *frames;
  audit::for_each_syslog_frame(stream, [&](std::string_view message) {
    at = static_cast<size_t>(message.data() - stream.data()) + message.size();
    ends.push_back(at);
  });
  const size_t cut = ends.empty() ? 0 : ends[uniform_below(cuts_, ends.size())];
  char session[32];
  std::snprintf(session, sizeof session, "%012llu",
                static_cast<unsigned long long>(next_session_()));
  const std::string first = sessions_prefix(folder_) + session + "-1";
  Status sent = co_await store_.put(first, frames->substr(0, cut));
  if (!sent.ok() || cut == frames->size()) co_return sent;
  co_return co_await store_.put(sessions_prefix(folder_) + session + "-2", frames->substr(cut));
}

}  // namespace lj::sim
