#include "prod/cmd/lj/cat_command.h"

#include <fstream>
#include <sstream>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/file_text.h"
#include "prod/logfile/log_file_reader.h"

namespace lj {
int run_cat(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Prints a log file's events (decrypted with --key), or only verifies it.", "lj cat"};
  std::string file_path, key_path;
  bool verify_only = false;
  app.add_option("FILE", file_path, "the log file")->required();
  app.add_option("--key", key_path, "the customer's private key (PEM), for an encrypted file");
  app.add_flag("--verify-only", verify_only, "print one line of what the file is, not its events");
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;
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
