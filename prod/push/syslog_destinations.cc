#include "prod/push/syslog_destinations.h"

#include "prod/delivery/push_payloads.h"
#include "prod/push/blocking_calls.h"
#include "prod/push/syslog_tls_sender.h"
#include "prod/push/syslog_url.h"

namespace lj::push {

struct SyslogDestinations::Impl {
  Impl(SyslogDestinationsOptions options, BlockingCalls::Poster post)
      : options(std::move(options)), calls(this->options.threads, std::move(post)) {}
  SyslogDestinationsOptions options;
  BlockingCalls calls;
};

namespace {

// One collector, as one customer's configuration names it. Each put is a session of its own;
// the pusher has at most one put in flight per customer.
class SyslogDestination final : public PushDestination,
                                public std::enable_shared_from_this<SyslogDestination> {
 public:
  SyslogDestination(const SyslogDestinationsOptions& options, BlockingCalls& calls, SyslogUrl url,
                    std::string ca_pem)
      : options_(options), calls_(calls), url_(std::move(url)), ca_pem_(std::move(ca_pem)) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    return calls_.run(shared_from_this(), [this, name, contents = std::move(contents)] {
      Result<std::string> frames =
          delivery::syslog_push_frames(name, contents, options_.push_key.get(), options_.frames);
      if (!frames.ok()) return Status(frames.error());
      return send_to_syslog_collector(url_, ca_pem_, options_.ca_file, *frames, options_.timeout);
    });
  }

 private:
  const SyslogDestinationsOptions& options_;
  BlockingCalls& calls_;
  const SyslogUrl url_;
  const std::string ca_pem_;
};

}  // namespace

SyslogDestinations::SyslogDestinations(SyslogDestinationsOptions options,
                                       std::function<void(std::function<void()>)> post_to_loop)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(post_to_loop))) {}

SyslogDestinations::~SyslogDestinations() = default;

Result<std::shared_ptr<PushDestination>> SyslogDestinations::open(const PushTarget& target) {
  Result<SyslogUrl> url = parse_syslog_url(target.url);
  if (!url.ok()) return url.error();
  return std::shared_ptr<PushDestination>(std::make_shared<SyslogDestination>(
      impl_->options, impl_->calls, std::move(*url), target.ca_pem));
}

}  // namespace lj::push
