#include "prod/push/pushed_test_files.h"

#include <vector>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/rsa_keys.h"

namespace lj::push {

std::string pushed_log_file(uint64_t seq, size_t count, LogFormat format, bool wrapped) {
  SplitMix64 random(seq);
  std::vector<AttackEvent> events;
  for (size_t i = 0; i < count; ++i)
    events.push_back(make_sample_event(random, 1004, {seq, i + 1}, 1764049750000));
  LogFileSpec spec;
  spec.account_id = 1004;
  spec.seq = seq;
  spec.format = format;
  spec.public_key_pem = pushed_customer_key().public_pem;
  const RsaPublicKey push_public = RsaPublicKey::from_pem(cluster_push_key().public_pem).value();
  if (wrapped) spec.push_key = &push_public;
  LogFileWriter writer;
  return writer.write(spec, events, random).value();
}

}  // namespace lj::push
