#include "prod/cmd/common/command_line.h"

#include <string>
#include <vector>

namespace lj::cmd {

std::optional<int> parse_command_line(CLI::App& app, std::span<const std::string_view> args, std::ostream& out,
                                      std::ostream& err) {
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

CLI::Option* add_kept_option(CLI::App& app, std::map<std::string, std::string>& values, const std::string& name,
                             const std::string& what) {
  return app.add_option_function<std::string>(
      name, [&values, name](const std::string& value) { values[name] = value; }, what);
}

}  // namespace lj::cmd
