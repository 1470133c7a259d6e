#include "prod/io/object_store.h"

namespace lj {

Status validate_object_name(const std::string& name) {
  if (name.empty() || name.size() > 1024) {
    return Error(ErrorCode::kInvalidArgument, "object name is empty or longer than 1024 bytes");
  }
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view segment = std::string_view(name).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find('\0') != std::string_view::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   "object name '" + name + "' has an empty, '.', '..' or NUL segment");
    }
    if (slash == std::string::npos) return Status();
    start = slash + 1;
  }
}

}  // namespace lj
