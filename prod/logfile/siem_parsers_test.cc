// LEEF and JSON lines as parsers that are not ours read them: syslog-ng's csv-parser and
// kv-parser (how syslog-ng splits a LEEF header and its attributes), Python's json module and
// jq. ci/setup installs jq and unpacks syslog-ng in /opt/lj-tools/syslog-ng (its package
// conflicts with rsyslog). This test shells out to them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/leef_writer.h"
#include "prod/logfile/log_body.h"

namespace lj {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSyslogNg = "/opt/lj-tools/syslog-ng";

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path temp_dir() {
  char dir_template[] = "/tmp/lj_siem_parsers_XXXXXX";
  EXPECT_NE(mkdtemp(dir_template), nullptr);
  return dir_template;
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out.empty() ? "-" : out;
}

std::vector<AttackEvent> sample_events(size_t count) {
  SplitMix64 random(23);
  std::vector<AttackEvent> events;
  for (uint64_t i = 1; i <= count; ++i) {
    events.push_back(
        make_sample_event(random, 42, {9, i}, 1764049750000 + static_cast<int64_t>(i)));
  }
  return events;
}

// ---- JSON lines: Python's json module (strict) and jq ----

// Prints, per line, the id and the exact bytes (hex) of some members, taking "<m>_base64"
// when present - the reader's side of the rule in json_lines_writer.h.
constexpr const char* kPythonReader = R"PY(
import base64, json, sys
def exact(obj, name):
    if name + "_base64" in obj:
        return base64.b64decode(obj[name + "_base64"], validate=True)
    return obj[name].encode("utf-8")
def h(b):
    return b.hex() or "-"
for line in open(sys.argv[1], "rb").read().decode("utf-8").split("\n")[:-1]:
    e = json.loads(line)
    headers = b"".join(exact(x, "name") + b"\0" + exact(x, "value") + b"\0" for x in e["headers"])
    print(e["id"], e["start_ms"], h(exact(e, "url")), h(exact(e, "user_agent")),
          h(exact(e, "account_name")), h(exact(e, "query")), h(headers))
)PY";

std::string expected_python_lines(const std::vector<AttackEvent>& events) {
  std::string out;
  for (const AttackEvent& e : events) {
    std::string headers;
    for (const HttpHeader& header : e.headers) headers += header.name + '\0' + header.value + '\0';
    out += std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence) + " " +
           std::to_string(e.start_ms) + " " + hex(e.url) + " " + hex(e.client_app) + " " +
           hex(e.account_name) + " " + hex(e.query) + " " + hex(headers) + "\n";
  }
  return out;
}

TEST(SiemParsers, JsonLinesReadExactlyByPythonAndJq) {
  if (std::system("command -v python3 >/dev/null && command -v jq >/dev/null") != 0) {
    GTEST_SKIP() << "python3 or jq missing (ci/setup installs them)";
  }
  std::vector<AttackEvent> events = sample_events(30);
  events[1].url = "/a\"b\\c\nd\re\tf\x01g\x7f";
  events[2].client_app = "caf\xc3\xa9 \xff\xfe broken \xed\xa0\x80 surrogate";  // invalid UTF-8
  events[3].account_name = std::string("nul\0inside", 10);
  events[4].headers = {{"X-\xff", "v\xc3"}, {"Accept", "\xe2\x82\xac"}};
  events[5].query = "\xf0\x9f\x98\x80 ok";
  std::string body;
  ASSERT_TRUE(append_log_body(LogFormat::kJson, events, 1764049750000, body).ok());
  const fs::path dir = temp_dir();
  write_file(dir / "body.json", body);
  write_file(dir / "read.py", kPythonReader);

  const std::string python = "python3 " + (dir / "read.py").string() + " " +
                             (dir / "body.json").string() + " > " + (dir / "python.out").string();
  ASSERT_EQ(std::system(python.c_str()), 0) << python;
  EXPECT_EQ(read_file(dir / "python.out"), expected_python_lines(events));

  // jq parses every line as one object with the schema's members.
  const std::string jq = "jq -e -r '[.id, .severity, (.headers | length), .time] | @tsv' " +
                         (dir / "body.json").string() + " > " + (dir / "jq.out").string();
  ASSERT_EQ(std::system(jq.c_str()), 0) << jq;
  std::istringstream jq_lines(read_file(dir / "jq.out"));
  std::string line;
  size_t i = 0;
  for (; std::getline(jq_lines, line) && i < events.size(); ++i) {
    const AttackEvent& e = events[i];
    EXPECT_EQ(line.substr(0, line.find('\t')),
              std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence));
    EXPECT_NE(line.find("\t" + std::to_string(e.headers.size()) + "\t2025-"), std::string::npos)
        << line;
  }
  EXPECT_EQ(i, events.size());
  fs::remove_all(dir);
}

// ---- LEEF: syslog-ng's csv-parser (header) and kv-parser (attributes) ----

// The syslog-ng configuration: reads body.leef, splits the header on '|', the attributes on
// the delimiter and '=', and writes each line's fields as one JSON object (format-json).
std::string syslog_ng_config(const fs::path& dir, char delimiter) {
  const std::string separator = delimiter == '\t' ? "\\t" : std::string(1, delimiter);
  return "@version: 3.38\n"
         "options { stats-freq(0); };\n"
         "source s_in { file(\"" +
         (dir / "body.leef").string() +
         "\" flags(no-parse) follow-freq(0.1)); };\n"
         "parser p_leef {\n"
         "  csv-parser(columns(\"v\", \"vendor\", \"product\", \"version\", \"event_id\", "
         "\"delimiter\", \"attributes\")\n"
         "             delimiters(chars(\"|\")) flags(greedy) quote-pairs(\"\") "
         "prefix(\"leef.\"));\n"
         "  kv-parser(template(\"${leef.attributes}\") pair-separator(\"" +
         separator +
         "\") value-separator(\"=\") prefix(\"attr.\"));\n"
         "};\n"
         "destination d_out { file(\"" +
         (dir / "out.json").string() +
         "\" template(\"$(format-json --scope dot-nv-pairs --key leef.event_id --key "
         "leef.delimiter --key attr.*)\\n\")); };\n"
         "log { source(s_in); parser(p_leef); destination(d_out); };\n";
}

// Runs syslog-ng over body.leef until it wrote `lines` lines (or 20 s passed).
constexpr const char* kRunSyslogNg = R"SH(set -u
dir="$1"; lines="$2"; sng="$3"
LD_LIBRARY_PATH="$sng/usr/lib/syslog-ng" "$sng/usr/sbin/syslog-ng" -F -f "$dir/syslog-ng.conf" \
  --module-path="$sng/usr/lib/syslog-ng/3.38" --persist-file="$dir/persist" --pidfile="$dir/pid" \
  --control="$dir/ctl" --no-caps > "$dir/syslog-ng.log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  [ -f "$dir/out.json" ] && [ "$(wc -l < "$dir/out.json")" -ge "$lines" ] && break
  sleep 0.05
done
sleep 0.2  # a forged extra line would arrive now
kill "$pid"; wait "$pid" 2>/dev/null
[ -f "$dir/out.json" ]
)SH";

// jq's @tsv form of a value: '\', tab, LF and CR escaped with a backslash.
std::string tsv(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

class LeefBySyslogNg : public testing::TestWithParam<char> {};

TEST_P(LeefBySyslogNg, ReadsEveryAttributeAndNoValueForgesOne) {
  if (!fs::exists(fs::path(kSyslogNg) / "usr/sbin/syslog-ng") ||
      std::system("command -v jq >/dev/null") != 0) {
    GTEST_SKIP() << "syslog-ng or jq missing (ci/setup unpacks and installs them)";
  }
  const char delimiter = GetParam();
  std::vector<AttackEvent> events = sample_events(20);
  events[1].url = "/search?q=a=b c|d";  // '=' and '|' stay as they are
  events[2].account_name = "caf\xc3\xa9 \xe2\x98\x95 co";
  // A value that tries to start another attribute and another line: its delimiter and LF are
  // escaped, so syslog-ng sees one url and the real act.
  events[4].url = std::string("/x") + delimiter + "act=ALLOWED\nLEEF:2.0|forged";
  events[5].attack_type = "";  // the "-" placeholder
  std::string body;
  ASSERT_TRUE(append_log_body(LogFormat::kLeef, events, 1764049750000, body, delimiter).ok());
  const fs::path dir = temp_dir();
  write_file(dir / "body.leef", body);
  write_file(dir / "syslog-ng.conf", syslog_ng_config(dir, delimiter));
  write_file(dir / "run.sh", kRunSyslogNg);
  const std::string run = "bash " + (dir / "run.sh").string() + " " + dir.string() + " " +
                          std::to_string(events.size()) + " " + kSyslogNg;
  ASSERT_EQ(std::system(run.c_str()), 0) << read_file(dir / "syslog-ng.log");

  // jq pulls the fields out of syslog-ng's JSON, one tab-separated line per event.
  const std::string jq =
      "jq -r '[.leef.event_id, .attr.deviceExternalId, .attr.url, .attr.Customer, .attr.act, "
      ".attr.srcPort, .attr.devTime] | @tsv' " +
      (dir / "out.json").string() + " > " + (dir / "fields.tsv").string();
  ASSERT_EQ(std::system(jq.c_str()), 0) << jq;
  std::istringstream lines(read_file(dir / "fields.tsv"));
  std::string line;
  size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    ASSERT_LT(i, events.size()) << "syslog-ng read more lines than there are events: " << line;
    const AttackEvent& e = events[i];
    std::string url;
    append_leef_value(e.url, delimiter, url);  // what a parser that does not unescape shows
    // (csv-parser does not know the header's "\|" escape: sample attack types hold no '|'.)
    const std::string event_id = e.attack_type.empty() ? "-" : e.attack_type;
    const std::string expected = event_id + "\t" + std::to_string(e.id.proxy_id) + "-" +
                                 std::to_string(e.id.sequence) + "\t" + tsv(url) + "\t" +
                                 e.account_name + "\t" + e.action + "\t" +
                                 std::to_string(e.source_port) + "\t2025-11-25T05:49:";
    EXPECT_EQ(line.substr(0, expected.size()), expected) << "event " << i;
  }
  EXPECT_EQ(i, events.size());
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(TabAndCaret, LeefBySyslogNg, testing::Values('\t', '^'));

}  // namespace
}  // namespace lj
