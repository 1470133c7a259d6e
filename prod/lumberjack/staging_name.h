#pragma once
// A staging object's name says which upload attempt wrote it, so that no two attempts ever
// write the same object and recovery can tell, from the name alone, whether a commit may
// still name it:
//   staging/<folder>/<file name>.<worker id>.v<checkpoint version>.<attempt>
//   staging/1004_1/1004_2.log.lj-1-1003.v7.9f3c2a0011223344
// - the checkpoint version is the one the attempt's commit will compare against: the commit
//   succeeds only while the checkpoint node is still at that version, and versions only grow,
//   so once a reader has seen the checkpoint at a later version no commit can name the object
//   (docs/lumberjack.md, "Storage is fenced by naming");
// - the attempt is 64 random bits drawn for this one upload: two pipelines of one worker (or a
//   retry after a put whose answer was lost) never share a name.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "prod/lumberjack/customer_config.h"

namespace lj::lumberjack {

struct StagingName {
  uint64_t account_id = 0;
  uint64_t seq = 0;
  std::string worker_id;
  int32_t checkpoint_version = 0;
  uint64_t attempt = 0;
};

// "staging/<folder>": the folder holding a customer's staging objects.
std::string staging_folder(const CustomerConfig& config);
std::string make_staging_name(const CustomerConfig& config, const StagingName& name);
// Parses a full name made by make_staging_name; nullopt for anything else (an older release's
// "<file name>.<worker id>" included).
std::optional<StagingName> parse_staging_name(std::string_view name);

}  // namespace lj::lumberjack
