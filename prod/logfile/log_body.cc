#include "prod/logfile/log_body.h"

#include "prod/logfile/cef_parser.h"
#include "prod/logfile/cef_writer.h"
#include "prod/logfile/w3c_parser.h"
#include "prod/logfile/w3c_writer.h"

namespace lj {

Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       std::string& out) {
  if (format == LogFormat::kCef) {
    for (const AttackEvent& event : events) append_cef_line(event, out);
    return Status::ok_status();
  }
  Status status = append_w3c_directives(file_start_ms, out);
  for (size_t i = 0; i < events.size() && status.ok(); ++i)
    status = append_w3c_line(events[i], out);
  return status;
}

Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       LogBodyBuffer& out) {
  if (format == LogFormat::kCef) {
    for (const AttackEvent& event : events) {
      out.commit(write_cef_line(event, out.reserve(cef_line_bound(event))));
    }
    return Status::ok_status();
  }
  thread_local std::string lines;  // W3C is not on the benchmarked path; reuse one buffer
  lines.clear();
  Status status = append_w3c_directives(file_start_ms, lines);
  for (size_t i = 0; i < events.size() && status.ok(); ++i) {
    status = append_w3c_line(events[i], lines);
    if (lines.size() >= 64 * 1024) {
      out.append(lines);
      lines.clear();
    }
  }
  out.append(lines);
  return status;
}

Status parse_log_body(LogFormat format, std::string_view body, std::vector<AttackEvent>& events) {
  return format == LogFormat::kCef ? parse_cef_body(body, events) : parse_w3c_body(body, events);
}

}  // namespace lj
