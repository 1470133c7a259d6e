#pragma once
// Reading a small local file whole (keys, passwords, ledgers, stored objects) for the commands
// and daemons' start-up. Command-line tools only: production logic reads files through the seam.

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace lj {

// The file's bytes, or nullopt if it cannot be opened or read.
inline std::optional<std::string> read_file_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return std::nullopt;
  return text.str();
}

// The same, into `out`; false if it cannot be read (`out` is then unchanged).
inline bool read_file_text(const std::string& path, std::string& out) {
  std::optional<std::string> text = read_file_text(path);
  if (!text) return false;
  out = std::move(*text);
  return true;
}

}  // namespace lj
