#include "prod/cmd/common/command_line.h"

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace lj::cmd {

std::optional<int> parse_command_line(CLI::App& app, std::span<const std::string_view> args,
                                      std::ostream& out, std::ostream& err) {
  std::vector<std::string> words(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(words);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << app.get_name() << ": " << e.what() << " (" << app.get_name() << " --help: every flag)\n";
    return 2;
  }
  return std::nullopt;
}

CLI::Option* add_kept_option(CLI::App& app, std::map<std::string, std::string>& values,
                             const std::string& name, const std::string& what) {
  return app.add_option_function<std::string>(
      name, [&values, name](const std::string& value) { values[name] = value; }, what);
}

void add_config_file(CLI::App& app, bool& print_config) {
  app.set_config("--config", "",
                 "read flags from this TOML or INI file (`flag = value` a line, no dashes; "
                 "--print-config writes one); the command line wins");
  app.allow_config_extras(false);  // a misspelt key is an error, not a silently ignored line
  app.add_flag("--print-config", print_config,
               "print the configuration these flags and --config make, as a config file, and exit")
      ->configurable(false);
}

void add_log_level(CLI::App& app, LogLevelFlag& flag) {
  app.add_option("--log-level", flag.name, "write log lines of this level and above")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
}

std::optional<int> parse_daemon_command_line(CLI::App& app, int argc, char** argv,
                                             const bool& print_config) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // the help on stdout, or what is wrong on stderr
    return code == 0 ? 0 : 2;
  }
  if (!print_config) return std::nullopt;
  // Every flag with its value, defaults included; a flag with no value (an empty string) is
  // left out, as it would be from the command line: read back, it would count as given.
  std::istringstream lines(app.config_to_str(true, false));
  for (std::string line; std::getline(lines, line);) {
    if (!line.ends_with("=\"\"")) std::cout << line << "\n";
  }
  return 0;
}

}  // namespace lj::cmd
