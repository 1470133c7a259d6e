#include "sim/chrome_trace.h"

#include <cstdio>

#include "sim/sim_node.h"

namespace lj::sim {

namespace {

// Track 0 is the world; node n is track n + 1.
uint64_t track(NodeId node) {
  return node == kNoNode ? 0 : static_cast<uint64_t>(node) + 1;
}

// Virtual nanoseconds as the format's microseconds, exactly (three decimals).
std::string micros(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  return text;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      // Control bytes, and any byte outside ASCII (log lines may quote raw input): escaped,
      // so the document is valid UTF-8 whatever a line held.
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

ChromeTrace::ChromeTrace(Simulation& simulation, bool with_log_lines) : simulation_(simulation) {
  simulation.add_mark_sink([this](const Simulation::Mark& mark) {
    add(mark.node, mark.category, mark.name, mark.start_ns, mark.end_ns, mark.instant);
  });
  if (!with_log_lines) return;
  simulation.add_trace_sink([this](int64_t now_ns, std::string_view node, std::string_view text) {
    if (simulation_.tracing_a_mark()) return;  // the mark itself is recorded
    const SimNode* found = simulation_.find_node(node);
    add(found == nullptr ? kNoNode : found->id(), "log", text, now_ns, now_ns, true);
  });
}

void ChromeTrace::add(NodeId node, std::string_view category, std::string_view name,
                      int64_t start_ns, int64_t end_ns, bool instant) {
  std::string event = "{\"name\":" + json_string(name) + ",\"cat\":" + json_string(category) +
                      ",\"ph\":\"" + (instant ? "i" : "X") + "\",\"ts\":" + micros(start_ns) +
                      ",\"pid\":1,\"tid\":" + std::to_string(track(node));
  if (instant) {
    event += ",\"s\":\"t\"";
  } else {
    event += ",\"dur\":" + micros(end_ns - start_ns);
  }
  event += "}";
  events_.push_back(std::move(event));
}

std::string ChromeTrace::json() const {
  std::string out = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"seed\":\"" +
                    std::to_string(simulation_.seed()) + "\"},\"traceEvents\":[\n";
  // Metadata first: the process and one named, ordered track per node.
  out += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":" +
         json_string("world seed " + std::to_string(simulation_.seed())) + "}}";
  auto name_track = [&out](uint64_t tid, std::string_view name) {
    out += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(tid) +
           ",\"args\":{\"name\":" + json_string(name) + "}}";
    out +=
        ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(tid) +
        ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}";
  };
  name_track(0, "world");
  for (size_t n = 0; n < simulation_.node_count(); ++n) {
    name_track(track(static_cast<NodeId>(n)), simulation_.node(static_cast<NodeId>(n)).name());
  }
  for (const std::string& event : events_) out += ",\n" + event;
  out += "\n]}\n";
  return out;
}

bool ChromeTrace::write(const std::string& path) const {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  const std::string text = json();
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && written;
}

}  // namespace lj::sim
