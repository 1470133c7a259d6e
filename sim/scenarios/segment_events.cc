#include "sim/scenarios/segment_events.h"

#include <span>

#include "prod/event/event_record.h"
#include "prod/graceland/segment_format.h"

namespace lj::sim {

bool parse_segment_path(const std::string& path, std::string& account, uint32_t& index) {
  const std::string name = path.substr(path.rfind('/') + 1);
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return false;
  account = name.substr(0, dot);
  return graceland::parse_segment_file_name(std::string_view(name).substr(dot + 1), index);
}

size_t for_each_segment_event(std::string_view data, size_t from,
                              const std::function<void(size_t offset, const EventId& id)>& each) {
  const auto bytes = std::as_bytes(std::span(data.data(), data.size()));
  if (from < graceland::kSegmentHeaderBytes) {
    if (!graceland::decode_segment_header(bytes).ok()) return 0;
    from = graceland::kSegmentHeaderBytes;
  }
  size_t offset = from;
  while (offset < bytes.size()) {
    const size_t n = graceland::valid_record_bytes(bytes.subspan(offset));
    if (n == 0) break;
    Result<DecodedEventRecord> record = decode_event_record(
        bytes.subspan(offset + graceland::kRecordHeaderBytes, n - graceland::kRecordHeaderBytes));
    if (record.ok()) each(offset, record->event.id);
    offset += n;
  }
  return offset;
}

}  // namespace lj::sim
