#include "sim/scenarios/object_names.h"

#include <string_view>

#include "prod/lumberjack/published_layout.h"

namespace lj::sim {

bool is_staging(const std::string& name) {
  return name.starts_with("staging/");
}

std::optional<LogFileName> published_file(const std::string& name) {
  const std::optional<lumberjack::LayoutName> parsed = lumberjack::parse_layout_name(name);
  if (!parsed || parsed->kind != lumberjack::LayoutName::Kind::kPublishedFile) return std::nullopt;
  return LogFileName{parsed->owner.account_id, parsed->seq};
}

}  // namespace lj::sim
