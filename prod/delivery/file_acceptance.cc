#include "prod/delivery/file_acceptance.h"

#include <string>

namespace lj::delivery {

namespace {

Error refused(const std::string& why) {
  return Error(ErrorCode::kPermissionDenied, why);
}

std::string place(uint64_t account_id, uint64_t config_id, uint64_t seq) {
  return "file " + std::to_string(seq) + " of folder " + std::to_string(account_id) + "_" +
         std::to_string(config_id);
}

}  // namespace

Status accept_file(const DecodedLogFile& file, uint64_t account_id, uint64_t config_id,
                   uint64_t seq, const FileAcceptance& policy) {
  const LogFileHeader& header = file.header;
  const bool imperva = file.encoding == BodyEncoding::kImpervaCompatible;
  if (header.account_id != account_id || header.config_id != config_id) {
    return refused("the file says account " + std::to_string(header.account_id) + " config " +
                   std::to_string(header.config_id) + ", not " + place(account_id, config_id, seq) +
                   ": swapped in from another folder");
  }
  if (!imperva && header.seq != seq) {
    return refused("the file says it is file " + std::to_string(header.seq) + ", not " +
                   place(account_id, config_id, seq) + ": copied or replayed under another name");
  }
  if (!file.encrypted && !policy.accept_unencrypted) {
    return refused(place(account_id, config_id, seq) +
                   " is not encrypted: refused (--accept-unencrypted if this folder has no key)");
  }
  if (imperva && !policy.accept_imperva) {
    return refused(place(account_id, config_id, seq) +
                   " is in the legacy Imperva-compatible encoding (unauthenticated): refused "
                   "(--accept-imperva if this folder is configured that way)");
  }
  return Status();
}

}  // namespace lj::delivery
