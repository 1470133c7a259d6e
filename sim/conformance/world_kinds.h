#pragma once
// The worlds every conformance suite runs in: the real one and a few simulated seeds.
#include <gtest/gtest.h>

#define LJ_CONFORMANCE_SUITE(Fixture)                                                  \
  INSTANTIATE_TEST_SUITE_P(Worlds, Fixture,                                            \
                           ::testing::Values("real", "sim1", "sim2", "sim3", "sim42"), \
                           [](const auto& info) { return std::string(info.param); })
