#include "sim/scenarios/object_names.h"

#include <string_view>

namespace lj::sim {

bool is_staging(const std::string& name) {
  return name.starts_with("staging/");
}

std::optional<LogFileName> published_file(const std::string& name) {
  const size_t slash = name.find('/');
  if (is_staging(name) || slash == std::string::npos ||
      name.find('/', slash + 1) != std::string::npos) {
    return std::nullopt;
  }
  return parse_log_file_name(std::string_view(name).substr(slash + 1));
}

}  // namespace lj::sim
