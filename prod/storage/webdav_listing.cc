#include "prod/storage/webdav_listing.h"

#include <algorithm>
#include <optional>

#include "prod/io/object_store.h"
#include "prod/text/json_cursor.h"

namespace lj {

namespace {

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kCorrupt, "webdav response: " + what);
}

Error malformed(const JsonCursor& cursor, const char* expected) {
  return corrupt("listing: expected " + std::string(expected) + " at offset " +
                 std::to_string(cursor.pos()));
}

// One entry's fields; returns the file's name, or nullopt for anything that is not a file.
Result<std::optional<std::string>> parse_listing_entry(JsonCursor& cursor) {
  if (!cursor.consume('{')) return corrupt("listing: expected an object");
  std::optional<std::string> name;
  std::string type;
  if (!cursor.consume('}')) {
    do {
      std::string key;
      if (!cursor.string(key)) return malformed(cursor, "a string");
      if (!cursor.consume(':')) return corrupt("listing: expected ':'");
      std::string value;
      const bool parsed = cursor.peek('"') ? cursor.string(value) : cursor.scalar(value);
      if (!parsed) return malformed(cursor, "a value");
      if (key == "name")
        name = std::move(value);
      else if (key == "type")
        type = std::move(value);
    } while (cursor.consume(','));
    if (!cursor.consume('}')) return corrupt("listing: expected '}'");
  }
  if (type != "file") return std::optional<std::string>();
  if (!name.has_value()) return corrupt("listing: a file without a name");
  if (name->find('/') != std::string::npos || !validate_object_name(*name).ok()) {
    return corrupt("listing: hostile file name '" + name->substr(0, 64) + "'");
  }
  return name;
}

}  // namespace

Result<std::vector<std::string>> parse_autoindex_json_files(std::string_view json) {
  JsonCursor cursor(json);
  std::vector<std::string> files;
  if (!cursor.consume('[')) return corrupt("listing: expected '['");
  if (!cursor.consume(']')) {
    do {
      Result<std::optional<std::string>> entry = parse_listing_entry(cursor);
      if (!entry.ok()) return entry.error();
      if (entry->has_value()) files.push_back(std::move(**entry));
    } while (cursor.consume(','));
    if (!cursor.consume(']')) return corrupt("listing: expected ']'");
  }
  if (!cursor.at_end()) return corrupt("listing: bytes after the array");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace lj
