#include "prod/logfile/log_file_header.h"

#include <charconv>
#include <vector>

#include "prod/io/invariant.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, "log file header: " + std::move(message));
}

void line(std::string_view name, std::string_view value, std::string& out) {
  LJ_ASSERT(value.find('\n') == std::string_view::npos);
  out.append(name);
  out.push_back(':');
  out.append(value);
  out.push_back('\n');
}

template <typename Int>
bool parse_int(std::string_view text, Int& value) {
  if (text.empty() || text.front() == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

void append_log_file_header(const LogFileHeader& h, std::string& out) {
  line("accountId", std::to_string(h.account_id), out);
  line("configId", std::to_string(h.config_id), out);
  line("checksum", h.checksum, out);
  line("format", log_format_name(h.format), out);
  line("startTime", std::to_string(h.start_time_ms), out);
  line("endTime", std::to_string(h.end_time_ms), out);
  if (h.seq != 0) line("seq", std::to_string(h.seq), out);
  if (!h.compression.empty()) line("compression", h.compression, out);
  if (!h.cipher.empty()) line("cipher", h.cipher, out);
  if (!h.nonce.empty()) line("nonce", h.nonce, out);
  if (!h.public_key_id.empty()) line("publicKeyId", h.public_key_id, out);
  if (!h.key.empty()) line("key", h.key, out);
  if (!h.push_key_id.empty()) line("pushKeyId", h.push_key_id, out);
  if (!h.push_key.empty()) line("pushKey", h.push_key, out);
  out.append(kHeaderTerminator);
}

Result<ParsedLogFileHeader> parse_log_file_header(std::string_view file) {
  const size_t end = file.substr(0, kMaxHeaderBytes).find(kHeaderTerminator);
  if (end == std::string_view::npos) {
    return corrupt(file.size() < kMaxHeaderBytes
                       ? "no '|==|' terminator: the file is truncated or not a log file"
                       : "no '|==|' terminator in the first " + std::to_string(kMaxHeaderBytes) +
                             " bytes: not a log file");
  }
  // The terminator must start a line: "x|==|\n" is not one.
  if (end > 0 && file[end - 1] != '\n') return corrupt("'|==|' does not start a line");

  ParsedLogFileHeader parsed;
  parsed.header_bytes = end + kHeaderTerminator.size();
  LogFileHeader& h = parsed.header;
  std::vector<std::string_view> seen;
  bool have_account = false, have_config = false, have_format = false, have_start = false,
       have_end = false;
  std::string_view lines = file.substr(0, end);
  for (size_t number = 1; !lines.empty(); ++number) {
    const size_t lf = lines.find('\n');
    const std::string_view text = lines.substr(0, lf);
    lines.remove_prefix(lf + 1);
    const std::string where = "line " + std::to_string(number) + ": ";
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) return corrupt(where + "not name:value");
    const std::string_view name = text.substr(0, colon);
    const std::string_view value = text.substr(colon + 1);
    for (char c : text) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return corrupt(where + "control byte in '" + std::string(name.substr(0, 32)) + "'");
      }
    }
    for (std::string_view other : seen) {
      if (other == name) return corrupt(where + "duplicate field '" + std::string(name) + "'");
    }
    seen.push_back(name);
    auto number_field = [&](auto& field, bool& have) -> Status {
      if (!parse_int(value, field)) {
        return corrupt(where + std::string(name) + " '" + std::string(value.substr(0, 32)) +
                       "' is not a number");
      }
      have = true;
      return Status::ok_status();
    };
    Status status;
    if (name == "accountId") {
      status = number_field(h.account_id, have_account);
    } else if (name == "configId") {
      status = number_field(h.config_id, have_config);
    } else if (name == "startTime") {
      status = number_field(h.start_time_ms, have_start);
    } else if (name == "endTime") {
      status = number_field(h.end_time_ms, have_end);
    } else if (name == "seq") {
      bool have_seq = false;
      status = number_field(h.seq, have_seq);
      if (status.ok() && h.seq == 0) status = corrupt(where + "seq 0: files count from 1");
    } else if (name == "format") {
      const std::optional<LogFormat> format = parse_log_format(value);
      if (!format)
        return corrupt(where + "unsupported format '" + std::string(value.substr(0, 32)) + "'");
      h.format = *format;
      have_format = true;
    } else if (name == "checksum") {
      h.checksum = value;
    } else if (name == "compression") {
      h.compression = value;
    } else if (name == "cipher") {
      h.cipher = value;
    } else if (name == "nonce") {
      h.nonce = value;
    } else if (name == "publicKeyId") {
      h.public_key_id = value;
    } else if (name == "key") {
      h.key = value;
    } else if (name == "pushKeyId") {
      h.push_key_id = value;
    } else if (name == "pushKey") {
      h.push_key = value;
    }
    if (!status.ok()) return status.error();
  }
  if (!have_account) return corrupt("missing accountId");
  if (!have_config) return corrupt("missing configId");
  if (h.checksum.empty()) return corrupt("missing checksum");
  if (!have_format) return corrupt("missing format");
  if (!have_start) return corrupt("missing startTime");
  if (!have_end) return corrupt("missing endTime");
  return parsed;
}

bool lacks_push_key(std::string_view file) {
  Result<ParsedLogFileHeader> parsed = parse_log_file_header(file);
  return parsed.ok() && !parsed->header.key.empty() && parsed->header.push_key.empty();
}

}  // namespace lj
