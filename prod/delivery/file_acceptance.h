#pragma once
// What a downloaded file must prove before its events are delivered as file `seq` of a
// folder "<account>_<config>": whoever can write the storage (or sits between it and the
// customer) must not be able to pass off another file, an older one, or a weaker one.
//
//  - Its header names this account and config (authenticated in modern files, where the whole
//    header is the GCM associated data) - else another customer's or configuration's file was
//    swapped in.
//  - A modern file names this seq - else a file was copied or replayed under another name.
//  - It is encrypted, unless the customer said its folder is not (accept_unencrypted): a file
//    the header calls unencrypted could be anybody's forgery.
//  - It is not in the Imperva-compatible encoding (AES-CBC, no authentication, no seq) unless
//    the customer runs that legacy mode (accept_imperva): a modern folder downgraded to it
//    would let the storage's writer choose the plaintext.
// A refusal is kPermissionDenied naming what the file claims and what was expected.

#include <cstdint>

#include "prod/io/result.h"
#include "prod/logfile/log_file_reader.h"

namespace lj::delivery {

struct FileAcceptance {
  bool accept_unencrypted = false;
  bool accept_imperva = false;
};

Status accept_file(const DecodedLogFile& file, uint64_t account_id, uint64_t config_id,
                   uint64_t seq, const FileAcceptance& policy);

}  // namespace lj::delivery
