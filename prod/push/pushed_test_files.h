#pragma once
// Tests only: the published files the event destinations' tests push (syslog_destinations_test,
// https_post_destinations_test): customer 1004's file `seq` of `count` sample events, encrypted
// for test key 0 (the customer's) and, when `wrapped`, for test key 1 as the cluster's push key.

#include <cstddef>
#include <cstdint>
#include <string>

#include "prod/logfile/log_file_format.h"
#include "prod/logfile/test_keys.h"

namespace lj::push {

inline const TestKeyPair& pushed_customer_key() {
  return test_key_pairs()[0];
}
inline const TestKeyPair& cluster_push_key() {
  return test_key_pairs()[1];
}

std::string pushed_log_file(uint64_t seq, size_t count, LogFormat format, bool wrapped);

}  // namespace lj::push
