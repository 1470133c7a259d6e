#pragma once
// Reading Graceland's segment files the way a checker must: straight off a simulated disk's
// bytes, not through the store it judges. Shared by the monitors that need to know which
// events a disk holds (DestroyedDisks, AckMonitor).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "prod/event/attack_event.h"

namespace lj::sim {

// "segments/1001.0000000003.seg" -> ("1001", 3). False for any other name.
bool parse_segment_path(const std::string& path, std::string& account, uint32_t& index);

// Calls `each(offset, id)` for every whole, valid record of a segment's bytes `data` from
// `from` (0: the start; the header is checked first). Returns where it stopped: past the last
// whole record, where a later call can go on once more bytes are there (0 if the header is not).
size_t for_each_segment_event(std::string_view data, size_t from,
                              const std::function<void(size_t offset, const EventId& id)>& each);

}  // namespace lj::sim
