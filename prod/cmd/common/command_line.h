#pragma once
// One convention for the command lines of `lj`'s subcommands (issue 17), on CLI11: flags
// declared once with their types and ranges, a generated --help that exits 0, and a refusal
// that names the flag and exits 2.

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "prod/io/log.h"

namespace lj::cmd {

// Parses `args` (the words after the subcommand's name) into `app`'s options. Returns nullopt
// to go on; or the exit code: 0 after printing the help on `out` (--help), 2 after printing
// what was wrong on `err`.
std::optional<int> parse_command_line(CLI::App& app, std::span<const std::string_view> args,
                                      std::ostream& out, std::ostream& err);

// Declares `name` on `app`, its value kept as given in `values[name]` (for commands that check
// their values themselves, or need to know which were given).
CLI::Option* add_kept_option(CLI::App& app, std::map<std::string, std::string>& values,
                             const std::string& name, const std::string& what);

// A check that `parse(text)` accepts a flag's text, for forms CLI11 has no type for (byte
// counts with K/M/G/T, hours as a fraction); the value itself is taken after parsing.
template <typename Parse>
CLI::Validator parses_as(std::string what, Parse parse) {
  return CLI::Validator(
      [what, parse](std::string& text) {
        return parse(text) ? std::string() : "wants " + what + ", not '" + text + "'";
      },
      what);
}

// A daemon's flags from a file too: --config FILE (TOML or INI, read natively by CLI11; the
// command line wins; a misspelt key is an error) and --print-config (into `print_config`).
void add_config_file(CLI::App& app, bool& print_config);

// A daemon's --log-level error|warn|info|debug (default info): lines below it are not written.
struct LogLevelFlag {
  std::string name = "info";
  LogLevel level() const {
    return parse_log_level(name).value_or(LogLevel::kInfo);
  }  // checked by the parse
};
void add_log_level(CLI::App& app, LogLevelFlag& flag);

// Parses a daemon's command line (and its --config). Returns an exit code to stop with - 0
// after --help or after printing the configuration (`print_config`), 2 after a refusal - or
// nullopt to go on.
std::optional<int> parse_daemon_command_line(CLI::App& app, int argc, char** argv,
                                             const bool& print_config);

}  // namespace lj::cmd
