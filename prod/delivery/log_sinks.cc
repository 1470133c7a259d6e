#include "prod/delivery/log_sinks.h"

#include "prod/logfile/log_file_format.h"
#include "prod/logfile/time_text.h"

namespace lj::delivery {

std::vector<std::string_view> event_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

DirectorySink::DirectorySink(FileSystem& files, std::string dir)
    : files_(files), dir_(std::move(dir)) {}

std::string DirectorySink::output_name(uint64_t account_id, uint64_t seq, LogFormat format) {
  std::string_view extension;
  switch (format) {
    case LogFormat::kCef:
      extension = ".cef";
      break;
    case LogFormat::kW3c:
      extension = ".w3c";
      break;
    case LogFormat::kLeef:
      extension = ".leef";
      break;
    case LogFormat::kJson:
      extension = ".json";
      break;
  }
  return std::to_string(account_id) + "_" + std::to_string(seq) + std::string(extension);
}

Task<Status> DirectorySink::deliver(uint64_t seq, const DecodedLogFile& file) {
  if (!dir_ready_) {
    if (Status s = co_await create_dir_durably(files_, dir_); !s.ok()) co_return s;
    dir_ready_ = true;
  }
  const std::string path =
      dir_ + "/" + output_name(file.header.account_id, seq, file.header.format);
  co_return co_await write_file_atomically(files_, path, std::as_bytes(std::span(file.plaintext)));
}

std::string syslog_frame(std::string_view line, int64_t time_ms, std::string_view msgid,
                         const SyslogOptions& options, std::string_view structured_data) {
  std::string message = "<134>1 ";
  if (time_ms >= 0 && is_text_time_ms(time_ms)) {
    append_date(time_ms, message);
    message += 'T';
    append_time(time_ms, true, message);
    message += 'Z';
  } else {
    message += '-';
  }
  message += " " + options.hostname + " " + options.app_name + " - " + std::string(msgid) + " " +
             std::string(structured_data) + " ";
  const size_t body_at = message.size();
  message += line;
  for (size_t i = body_at; i < message.size(); ++i) {
    if (message[i] == '\n' || message[i] == '\r') message[i] = ' ';
  }
  return std::to_string(message.size()) + " " + message;
}

SyslogSink::SyslogSink(Network& network, SyslogOptions options)
    : network_(network), options_(std::move(options)) {}

std::string syslog_frames(const DecodedLogFile& file, uint64_t seq, const SyslogOptions& options) {
  const std::vector<std::string_view> lines = event_lines(file.plaintext);
  // One line per event in every format; if that ever fails to hold, times are left out.
  const bool times_known = lines.size() == file.events.size();
  const std::string_view msgid = log_format_name(file.header.format);
  const std::string where = std::string("[") + std::string(kSyslogSdId) + " file=\"" +
                            log_file_name(file.header.account_id, seq) + "\" n=\"";
  std::string frames;
  for (size_t i = 0; i < lines.size(); ++i) {
    frames += syslog_frame(lines[i], times_known ? file.events[i].start_ms : -1, msgid, options,
                           where + std::to_string(i + 1) + "\"]");
  }
  return frames;
}

Task<Status> SyslogSink::deliver(uint64_t seq, const DecodedLogFile& file) {
  const std::string frames = syslog_frames(file, seq, options_);
  if (!connection_) {
    Result<std::unique_ptr<Connection>> connected = co_await network_.connect(options_.address);
    if (!connected.ok())
      co_return Error(connected.code(),
                      "syslog " + options_.address + ": " + connected.error().message());
    connection_ = std::move(*connected);
  }
  Status sent = co_await write_all(*connection_, std::as_bytes(std::span(frames)));
  if (!sent.ok()) {
    connection_.reset();
    co_return Error(sent.code(), "syslog " + options_.address + ": " + sent.error().message());
  }
  co_return Status();
}

}  // namespace lj::delivery
