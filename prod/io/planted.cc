#include "prod/io/planted.h"

#if !defined(LJ_PLANTED_BUGS)
#error "planted.cc belongs to the simulator's build only (LJ_PLANTED_BUGS)"
#endif

namespace lj {

namespace {
thread_local PlantedBug current = PlantedBug::kNone;
}  // namespace

PlantedBug planted_bug() {
  return current;
}

PlantedBugScope::PlantedBugScope(PlantedBug bug) : previous_(current) {
  current = bug;
}

PlantedBugScope::~PlantedBugScope() {
  current = previous_;
}

}  // namespace lj
