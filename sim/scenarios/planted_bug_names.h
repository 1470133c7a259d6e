#pragma once
// The bugs the simulator can plant in production code paths (prod/io/planted.h), by name: the
// checker must catch each (props/planted_bugs_test.cc, ci/planted-rates).

#include <string_view>
#include <vector>

#include "prod/io/planted.h"

namespace lj::sim {

using PlantedBug = lj::PlantedBug;
// Every bug, in order (kNone first).
const std::vector<PlantedBug>& all_planted_bugs();
const char* planted_bug_name(PlantedBug bug);  // "no-dedup", ...
// The world whose load exercises a bug's layer hardest, where it is measured: "ingest" for
// Graceland's fsync path (five senders per PoP, so batches wait on a failing fsync), else
// "delivery".
const char* planted_bug_world(PlantedBug bug);
bool parse_planted_bug(std::string_view name, PlantedBug& bug);

}  // namespace lj::sim
