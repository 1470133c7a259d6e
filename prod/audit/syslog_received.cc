#include "prod/audit/syslog_received.h"

#include <cctype>

#include "prod/delivery/log_sinks.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_format.h"
#include "prod/text/numbers.h"

namespace lj::audit {
namespace {

Error corrupt(std::string_view message, const std::string& why) {
  return Error(ErrorCode::kCorrupt,
               "syslog message '" + std::string(message.substr(0, 120)) + "': " + why);
}

// The next space-separated field of `rest`, taken off it.
std::string_view take_field(std::string_view& rest) {
  const size_t space = rest.find(' ');
  const std::string_view field = rest.substr(0, space);
  rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
  return field;
}

// The value of `name="..."` inside structured data, or nullopt.
std::optional<std::string_view> sd_param(std::string_view sd, std::string_view name) {
  const std::string key = " " + std::string(name) + "=\"";
  const size_t at = sd.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + key.size();
  const size_t end = sd.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  return sd.substr(begin, end - begin);
}

}  // namespace

Status append_syslog_event(std::string_view message, int64_t received_ms,
                           std::vector<ReceivedEvent>& out) {
  std::string_view rest = message;
  if (take_field(rest) != "<134>1") return corrupt(message, "not <134>1 (RFC 5424, local0.info)");
  for (int skipped = 0; skipped < 3; ++skipped) take_field(rest);  // time, host, app
  if (take_field(rest) != "-") return corrupt(message, "a PROCID");
  const std::string_view msgid = take_field(rest);
  if (msgid == "challenge") return Status();
  const std::string prefix = "[" + std::string(delivery::kSyslogSdId) + " ";
  if (!rest.starts_with(prefix))
    return corrupt(message, "no [" + std::string(delivery::kSyslogSdId) + " ...]");
  const size_t sd_end = rest.find("\"] ");
  if (sd_end == std::string_view::npos) return corrupt(message, "unterminated structured data");
  const std::string_view sd = rest.substr(0, sd_end + 2);
  const std::string_view line = rest.substr(sd_end + 3);
  const std::optional<std::string_view> file = sd_param(sd, "file");
  const std::optional<std::string_view> n = sd_param(sd, "n");
  const std::optional<LogFileName> name = file ? parse_log_file_name(*file) : std::nullopt;
  uint64_t place = 0;
  if (!name || !n || !text::parse_positive(*n, place))
    return corrupt(message, "structured data without a file name and a place from 1");
  const std::optional<LogFormat> format = parse_log_format(msgid);
  if (!format || *format == LogFormat::kW3c)
    return corrupt(message, "MSGID " + std::string(msgid.substr(0, 16)) + ": CEF, LEEF or JSON");
  std::vector<AttackEvent> events;
  if (Status parsed = parse_log_body(*format, std::string(line) + "\n", events); !parsed.ok())
    return corrupt(message, parsed.error().message());
  if (events.size() != 1) return corrupt(message, std::to_string(events.size()) + " events");
  const AttackEvent& event = events.front();
  if (event.account_id != name->account_id)
    return corrupt(message, "an event of account " + std::to_string(event.account_id));
  out.push_back(
      ReceivedEvent{name->account_id, name->seq, place - 1, event.id, event.start_ms, received_ms});
  return Status();
}

Status append_syslog_events(std::string_view text, int64_t received_ms,
                            std::vector<ReceivedEvent>& out) {
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) break;  // a line the collector is still writing
    std::string_view message = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (message.empty()) continue;
    int64_t at_ms = received_ms;
    if (std::isdigit(static_cast<unsigned char>(message.front()))) {  // "<s>.<fraction> "
      const size_t space = message.find(' ');
      const std::string_view stamp = message.substr(0, space);
      const size_t dot = stamp.find('.');
      uint64_t seconds = 0;
      const std::string_view fraction =
          dot == std::string_view::npos ? std::string_view() : stamp.substr(dot + 1);
      uint64_t millis = 0;
      for (size_t i = 0; i < 3; ++i) {
        const char digit = i < fraction.size() ? fraction[i] : '0';
        if (!std::isdigit(static_cast<unsigned char>(digit)))
          return corrupt(message, "a receipt time that is not <seconds>.<fraction>");
        millis = millis * 10 + static_cast<uint64_t>(digit - '0');
      }
      if (space == std::string_view::npos || !text::parse_number(stamp.substr(0, dot), seconds) ||
          seconds > 253402300799)
        return corrupt(message, "a receipt time that is not <seconds>.<fraction>");
      at_ms = static_cast<int64_t>(seconds * 1000 + millis);
      message.remove_prefix(space + 1);
    }
    if (Status s = append_syslog_event(message, at_ms, out); !s.ok()) return s;
  }
  return Status();
}

bool for_each_syslog_frame(std::string_view stream,
                           const std::function<void(std::string_view message)>& each) {
  while (!stream.empty()) {
    const size_t space = stream.find(' ');
    uint64_t length = 0;
    if (space == std::string_view::npos || !text::parse_positive(stream.substr(0, space), length) ||
        length > stream.size() - space - 1)
      return false;
    each(stream.substr(space + 1, length));
    stream.remove_prefix(space + 1 + length);
  }
  return true;
}

Status append_syslog_frames(std::string_view stream, int64_t received_ms,
                            std::vector<ReceivedEvent>& out) {
  Status status;
  const bool framed = for_each_syslog_frame(stream, [&](std::string_view message) {
    if (status.ok()) status = append_syslog_event(message, received_ms, out);
  });
  if (!framed) return corrupt(stream, "not octet-counted frames, or cut inside one");
  return status;
}

}  // namespace lj::audit
