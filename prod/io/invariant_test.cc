// LJ_ASSERT is on in every build type (this binary is built like the daemons): a broken
// invariant aborts with the expression and where it is.
#include "prod/io/invariant.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

int checks_run = 0;
bool counted(bool value) {
  ++checks_run;
  return value;
}

TEST(InvariantDeathTest, ABrokenInvariantAbortsAndSaysWhich) {
  EXPECT_DEATH(LJ_ASSERT(counted(1 + 1 == 3)),
               "invariant failed: counted\\(1 \\+ 1 == 3\\) \\(.*invariant_test.cc:[0-9]+\\)");
}

TEST(Invariant, IsCheckedInEveryBuildType) {
  checks_run = 0;
  LJ_ASSERT(counted(true));
  EXPECT_EQ(checks_run, 1) << "LJ_ASSERT compiled out (NDEBUG?)";
}

}  // namespace
}  // namespace lj
