#pragma once
// The WebDAV store's pure parts (prod/storage/webdav_object_store.h does the I/O): object names
// as request targets, and nginx's JSON autoindex of a folder read into the names of its files.
// The listing is hostile input: any surprise is kCorrupt naming the offset, and a name that is
// not a valid object name (prod/io/object_store.h) refuses the whole listing. Apart from the
// store's coroutines so the listing fuzzer instruments it (clang 14 cannot instrument
// coroutines).

#include <string>
#include <string_view>
#include <vector>

#include "prod/io/result.h"
#include "prod/text/percent_encoding.h"  // percent_encode_path: names as request targets

namespace lj {

// The names of the files (entries of "type":"file") of a listing, sorted; directories and
// other entries are skipped.
Result<std::vector<std::string>> parse_autoindex_json_files(std::string_view json);

}  // namespace lj
