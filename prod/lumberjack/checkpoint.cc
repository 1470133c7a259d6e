#include "prod/lumberjack/checkpoint.h"

#include <charconv>
#include <vector>

#include "prod/graceland/segment_format.h"
#include "prod/io/invariant.h"

namespace lj::lumberjack {

namespace {

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    const size_t space = line.find(' ');
    if (space != 0) words.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return words;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kCorrupt, "checkpoint: " + what);
}

// PoP names and staging names are single words of printable ASCII.
bool is_word(std::string_view text) {
  if (text.empty() || text.size() > 256) return false;
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

constexpr std::string_view kUnknownStore = "unknown";

}  // namespace

StoreCheck check_store(PopCursor& cursor, uint64_t store_id) {
  LJ_ASSERT(store_id != 0);  // Graceland's ids are never 0
  if (cursor.store_id == store_id) return StoreCheck::kSameStore;
  if (cursor.store_id == 0) {
    cursor.store_id = store_id;
    return StoreCheck::kAdopted;
  }
  cursor = PopCursor{graceland::Position{}, store_id};  // Position{}: the oldest record kept
  return StoreCheck::kReplaced;
}

namespace {

// "<keyword> <pop> <file index> <offset> <store id>\n"
std::string cursor_line(std::string_view keyword, const std::string& pop, const PopCursor& cursor) {
  return std::string(keyword) + " " + pop + " " + std::to_string(cursor.position.file_index) + " " +
         std::to_string(cursor.position.offset) + " " +
         (cursor.store_id == 0 ? std::string(kUnknownStore)
                               : graceland::store_id_text(cursor.store_id)) +
         "\n";
}

// The words of a cursor line after its keyword; v1 lines have no store id.
Status parse_cursor(const std::vector<std::string_view>& words, int version,
                    std::map<std::string, PopCursor>& into, const std::string& where) {
  PopCursor cursor;
  if (!is_word(words[1]) || !parse_number(words[2], cursor.position.file_index) ||
      !parse_number(words[3], cursor.position.offset)) {
    return corrupt("bad pop position" + where);
  }
  if (version >= 2 && words[4] != kUnknownStore) {
    const std::optional<uint64_t> store_id = graceland::parse_store_id_text(words[4]);
    if (!store_id) return corrupt("bad store id" + where);
    cursor.store_id = *store_id;
  }
  if (!into.emplace(std::string(words[1]), cursor).second) return corrupt("pop twice" + where);
  return Status();
}

}  // namespace

std::string Checkpoint::encode() const {
  std::string out = "v4\nnext_seq " + std::to_string(next_seq) + "\n";
  if (last_file)
    out += "last_file " + std::to_string(last_file->seq) + " " + last_file->staging_name + "\n";
  for (const auto& [pop, cursor] : pops) out += cursor_line("pop", pop, cursor);
  const std::string delivered_text = delivered.encode();
  LJ_ASSERT(delivered_text.size() <= max_encoded_delivered_bytes(kDeliveredLimits));  // bound() ran
  out += "delivered " + delivered_text + "\n";
  if (last_file && last_file->source) {
    for (const auto& [pop, cursor] : last_file->source->from)
      out += cursor_line("file_from", pop, cursor);
    const std::string events_text = last_file->source->events.encode();
    LJ_ASSERT(last_file->source->events.interval_count() <= kMaxFileEventIntervals);
    out += "file_events " + events_text + "\n";
  }
  return out;
}

Result<Checkpoint> Checkpoint::decode(std::string_view text) {
  Checkpoint checkpoint;
  bool saw_version = false, saw_seq = false, saw_file_events = false;
  FileSource source;
  int version = 0;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return corrupt("last line has no newline");
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ++line_number;
    const std::vector<std::string_view> words = words_of(line);
    const std::string where = " on line " + std::to_string(line_number);
    if (line_number == 1) {
      if (line != "v1" && line != "v2" && line != "v3" && line != "v4")
        return corrupt("unknown version '" + std::string(line.substr(0, 16)) + "'");
      version = line[1] - '0';
      saw_version = true;
    } else if (words.size() == 2 && words[0] == "next_seq") {
      if (!parse_number(words[1], checkpoint.next_seq) || checkpoint.next_seq == 0)
        return corrupt("bad next_seq" + where);
      saw_seq = true;
    } else if (words.size() == 3 && words[0] == "last_file") {
      CommittedFile file;
      if (!parse_number(words[1], file.seq) || !is_word(words[2]))
        return corrupt("bad last_file" + where);
      file.staging_name = std::string(words[2]);
      checkpoint.last_file = file;
    } else if (words.size() == (version == 1 ? 4u : 5u) && words[0] == "pop") {
      if (Status s = parse_cursor(words, version, checkpoint.pops, where); !s.ok())
        return s.error();
    } else if (version >= 3 && words.size() == 5 && words[0] == "file_from") {
      if (Status s = parse_cursor(words, version, source.from, where); !s.ok()) return s.error();
    } else if (version >= 3 && (words.size() == 1 || words.size() == 2) &&
               words[0] == "file_events") {
      Result<DeliveredSet> events = DeliveredSet::decode(words.size() == 2 ? words[1] : "");
      if (!events.ok()) return events.error();
      source.events = std::move(*events);
      saw_file_events = true;
    } else if ((words.size() == 1 || words.size() == 2) && words[0] == "delivered") {
      Result<DeliveredSet> delivered = DeliveredSet::decode(words.size() == 2 ? words[1] : "");
      if (!delivered.ok()) return delivered.error();
      checkpoint.delivered = std::move(*delivered);
    } else {
      return corrupt("unknown line" + where);
    }
  }
  if (!saw_version || !saw_seq) return corrupt("missing version or next_seq");
  if (checkpoint.last_file && checkpoint.last_file->seq + 1 != checkpoint.next_seq) {
    return corrupt("last_file is not next_seq - 1");
  }
  if (saw_file_events && !checkpoint.last_file) return corrupt("file_events without last_file");
  if (!saw_file_events && !source.from.empty()) return corrupt("file_from without file_events");
  if (saw_file_events) checkpoint.last_file->source = std::move(source);
  return checkpoint;
}

}  // namespace lj::lumberjack
