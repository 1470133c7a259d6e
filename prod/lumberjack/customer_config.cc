#include "prod/lumberjack/customer_config.h"

#include <charconv>
#include <set>

#include "prod/logfile/leef_writer.h"

namespace lj::lumberjack {

namespace {

std::string escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Result<std::string> unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) return Error(ErrorCode::kCorrupt, "customer config: dangling '\\'");
    if (value[i] == '\\')
      out += '\\';
    else if (value[i] == 'n')
      out += '\n';
    else
      return Error(ErrorCode::kCorrupt, "customer config: unknown escape");
  }
  return out;
}

template <typename T>
Status parse_number(const std::string& key, std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error(ErrorCode::kInvalidArgument, "customer config: bad number for " + key);
  }
  return Status();
}

}  // namespace

std::string CustomerConfig::encode() const {
  std::string out;
  auto line = [&](std::string_view key, std::string_view value) {
    out += key;
    out += '=';
    out += escape(value);
    out += '\n';
  };
  line("account", std::to_string(account_id));
  line("config", std::to_string(config_id));
  line("format", log_format_name(format));
  // Only for LEEF, so that a worker of an earlier release still reads other customers.
  if (format == LogFormat::kLeef) line("leef_delimiter", leef_delimiter_text(leef_delimiter));
  line("encoding", encoding == BodyEncoding::kModern ? "modern" : "imperva");
  line("compress", compress ? "yes" : "no");
  line("public_key", public_key_pem);
  line("public_key_id", public_key_id);
  line("username", username);
  line("password_hash", password_hash);
  line("roll_events", std::to_string(roll.max_events));
  line("roll_bytes", std::to_string(roll.max_bytes));
  line("roll_age_ms", std::to_string(roll.max_age_ms));
  // Only for pushed customers, so that a worker of an earlier release still reads the others.
  if (!push.url.empty()) {
    line("push_url", push.url);
    line("push_host_key", push.host_key);
    if (!push.credential.empty()) line("push_credential", push.credential);
    if (!push.ca_pem.empty()) line("push_ca", push.ca_pem);
    if (push_confirmed) line("push_confirmed", "yes");
  }
  return out;
}

Result<CustomerConfig> CustomerConfig::decode(std::string_view text) {
  CustomerConfig config;
  std::set<std::string> seen;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      return Error(ErrorCode::kCorrupt, "customer config: line without '='");
    const std::string key(line.substr(0, equals));
    Result<std::string> value = unescape(line.substr(equals + 1));
    if (!value.ok()) return value.error();
    if (!seen.insert(key).second)
      return Error(ErrorCode::kCorrupt, "customer config: " + key + " twice");
    Status status;
    if (key == "account")
      status = parse_number(key, *value, config.account_id);
    else if (key == "config")
      status = parse_number(key, *value, config.config_id);
    else if (key == "format") {
      if (const std::optional<LogFormat> format = parse_log_format(*value))
        config.format = *format;
      else
        status = Error(ErrorCode::kInvalidArgument,
                       "customer config: format must be " + std::string(kLogFormatChoices));
    } else if (key == "leef_delimiter") {
      if (const std::optional<char> delimiter = parse_leef_delimiter(*value))
        config.leef_delimiter = *delimiter;
      else
        status = Error(ErrorCode::kInvalidArgument,
                       "customer config: leef_delimiter is " + std::string(kLeefDelimiterChoices));
    } else if (key == "encoding") {
      if (*value == "modern")
        config.encoding = BodyEncoding::kModern;
      else if (*value == "imperva")
        config.encoding = BodyEncoding::kImpervaCompatible;
      else
        status = Error(ErrorCode::kInvalidArgument,
                       "customer config: encoding must be modern or imperva");
    } else if (key == "compress") {
      if (*value != "yes" && *value != "no")
        status = Error(ErrorCode::kInvalidArgument, "customer config: compress yes|no");
      config.compress = *value == "yes";
    } else if (key == "public_key")
      config.public_key_pem = *value;
    else if (key == "public_key_id")
      config.public_key_id = *value;
    else if (key == "username")
      config.username = *value;
    else if (key == "password_hash")
      config.password_hash = *value;
    else if (key == "roll_events")
      status = parse_number(key, *value, config.roll.max_events);
    else if (key == "roll_bytes")
      status = parse_number(key, *value, config.roll.max_bytes);
    else if (key == "roll_age_ms")
      status = parse_number(key, *value, config.roll.max_age_ms);
    else if (key == "push_url")
      config.push.url = *value;
    else if (key == "push_host_key")
      config.push.host_key = *value;
    else if (key == "push_credential")
      config.push.credential = *value;
    else if (key == "push_ca")
      config.push.ca_pem = *value;
    else if (key == "push_confirmed") {
      if (*value != "yes")
        status =
            Error(ErrorCode::kInvalidArgument, "customer config: push_confirmed=yes or absent");
      config.push_confirmed = true;
    } else
      status =
          Error(ErrorCode::kCorrupt, "customer config: unknown key '" + key.substr(0, 32) + "'");
    if (!status.ok()) return status.error();
  }
  if (config.account_id == 0 || config.config_id == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "customer config: account and config ids must be positive");
  }
  if (config.roll.max_events == 0 || config.roll.max_bytes == 0 || config.roll.max_age_ms <= 0) {
    return Error(ErrorCode::kInvalidArgument, "customer config: roll limits must be positive");
  }
  // Only a LEEF customer has a delimiter (encode() writes it for LEEF alone).
  if (seen.contains("leef_delimiter") && config.format != LogFormat::kLeef) {
    return Error(ErrorCode::kInvalidArgument, "customer config: leef_delimiter is for format=LEEF");
  }
  // A host key pins a destination; without one it means nothing, and encode() would drop it.
  if (config.push.url.empty() &&
      (!config.push.host_key.empty() || !config.push.credential.empty() ||
       !config.push.ca_pem.empty() || config.push_confirmed)) {
    return Error(ErrorCode::kInvalidArgument,
                 "customer config: push_host_key, push_credential, push_ca or push_confirmed "
                 "without push_url");
  }
  return config;
}

}  // namespace lj::lumberjack
