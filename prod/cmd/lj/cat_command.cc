#include "prod/cmd/lj/cat_command.h"
#include "prod/cmd/common/file_text.h"

#include <fstream>
#include <sstream>
#include <string>

#include "prod/logfile/log_file_reader.h"

namespace lj {
namespace {

constexpr std::string_view kUsage = "usage: lj cat FILE [--key PRIVATE.pem] [--verify-only]\n";

}  // namespace

int run_cat(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::string file_path, key_path;
  bool verify_only = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--key" && i + 1 < args.size()) {
      key_path = args[++i];
    } else if (args[i] == "--verify-only") {
      verify_only = true;
    } else if (!args[i].starts_with("--") && file_path.empty()) {
      file_path = args[i];
    } else {
      err << kUsage;
      return 2;
    }
  }
  if (file_path.empty()) {
    err << kUsage;
    return 2;
  }
  std::string file, key_pem;
  if (!read_file_text(file_path, file)) {
    err << "lj cat: " << file_path << ": cannot read\n";
    return 1;
  }
  if (!key_path.empty() && !read_file_text(key_path, key_pem)) {
    err << "lj cat: " << key_path << ": cannot read\n";
    return 1;
  }
  auto decoded = read_log_file(file, key_pem);
  if (!decoded.ok()) {
    err << "lj cat: " << file_path << ": " << decoded.error().to_string() << "\n";
    return 1;
  }
  if (verify_only) {
    const LogFileHeader& h = decoded->header;
    out << file_path << ": OK, " << decoded->events.size() << " events, "
        << log_format_name(h.format) << ", "
        << (decoded->encoding == BodyEncoding::kModern ? "modern" : "imperva-compatible")
        << (decoded->encrypted ? ", encrypted for " + h.public_key_id : ", unencrypted")
        << ", account " << h.account_id << ", " << h.start_time_ms << "-" << h.end_time_ms
        << " ms\n";
  } else {
    out << decoded->plaintext;
  }
  out.flush();
  return out ? 0 : 1;
}

}  // namespace lj
