#include "prod/cmd/common/zk_access.h"

#include <sstream>

#include "prod/cmd/common/file_text.h"

namespace lj::cmd {

namespace {

Error bad(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "zk auth file: " + why);
}

// "USER:REST" with a non-empty user and rest, and no space or control byte.
bool is_user_pair(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Whether `path` is `folder` or below it.
bool under(const std::string& path, const std::string& folder) {
  return path == folder || path.starts_with(folder + "/");
}

}  // namespace

Result<ZkAuthFile> parse_zk_auth_file(std::string_view text) {
  ZkAuthFile file;
  std::istringstream lines{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string keyword, first, second, extra;
    words >> keyword >> first >> second >> extra;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (keyword == "credential" && is_user_pair(first) && second.empty()) {
      file.credential = first;
    } else if (keyword == "role" && is_user_pair(second) && extra.empty()) {
      if (first == "operator")
        file.roles.operator_id = second;
      else if (first == "lumberjack")
        file.roles.lumberjack_id = second;
      else if (first == "graceland")
        file.roles.graceland_id = second;
      else
        return bad(where + "unknown role '" + first + "' (operator, lumberjack, graceland)");
    } else {
      return bad(where + "expected 'credential USER:PASSWORD' or 'role NAME USER:DIGEST'");
    }
  }
  if (file.credential.empty()) return bad("no credential line");
  if (file.roles.operator_id.empty() || file.roles.lumberjack_id.empty() ||
      file.roles.graceland_id.empty()) {
    return bad("a role line for each of operator, lumberjack and graceland is required");
  }
  return file;
}

Result<ZkAuthFile> load_zk_auth_file(const std::string& path) {
  const std::optional<std::string> text = read_file_text(path);
  if (!text) return Error(ErrorCode::kInvalidArgument, "cannot read zk auth file " + path);
  Result<ZkAuthFile> parsed = parse_zk_auth_file(*text);
  if (!parsed.ok()) return Error(parsed.code(), path + ": " + parsed.error().message());
  return parsed;
}

std::vector<ZkAclEntry> zk_acl_for(const lumberjack::ZkLayout& layout, const ZkRoleIds& roles,
                                   const std::string& path) {
  const auto entry = [](int32_t perms, const std::string& id) {
    return ZkAclEntry{perms, "digest", id};
  };
  const int32_t kWorker = kZkRead | kZkWrite | kZkCreate | kZkDelete;
  std::vector<ZkAclEntry> acl = {entry(kZkAll, roles.operator_id)};
  if (!under(path, layout.root)) {  // the root's ancestors
    acl.push_back(entry(kZkRead | kZkCreate, roles.lumberjack_id));
    acl.push_back(entry(kZkRead | kZkCreate, roles.graceland_id));
  } else if (path == layout.root) {
    acl.push_back(entry(kZkRead | kZkCreate, roles.lumberjack_id));
    acl.push_back(entry(kZkRead | kZkCreate, roles.graceland_id));
  } else if (under(path, layout.checkpoints()) || under(path, layout.assignments()) ||
             under(path, layout.workers()) || under(path, layout.election()) ||
             under(path, layout.master()) || under(path, layout.loads()) ||
             under(path, layout.pushed()) || under(path, layout.push_errors()) ||
             under(path, layout.push_challenges())) {
    acl.push_back(entry(kWorker, roles.lumberjack_id));
  } else if (under(path, layout.gracelands())) {
    acl.push_back(entry(kZkRead, roles.lumberjack_id));
    acl.push_back(entry(kWorker, roles.graceland_id));
  } else {  // customers, drained, anything else: the operator's to write
    acl.push_back(entry(kZkRead, roles.lumberjack_id));
  }
  return acl;
}

Result<ZkAccess> zk_access(const std::string& auth_file, const lumberjack::ZkLayout& layout) {
  if (auth_file.empty()) return ZkAccess{};
  Result<ZkAuthFile> file = load_zk_auth_file(auth_file);
  if (!file.ok()) return file.error();
  ZkAccess access;
  access.digest_credential = file->credential;
  access.acl_for = [layout, roles = file->roles](const std::string& path) {
    return zk_acl_for(layout, roles, path);
  };
  return access;
}

}  // namespace lj::cmd
