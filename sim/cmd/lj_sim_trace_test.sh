#!/usr/bin/env bash
# lj-sim --trace writes a Chrome trace that parses as JSON, has a named track per node, and
# holds the faults and each file's upload, commit and publish; --log prints the readable log;
# and watching a run (either way) does not change its trace hash; --help answers and bad flags
# are refused.
# Usage: lj_sim_trace_test.sh path/to/lj-sim
set -euo pipefail
lj_sim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$lj_sim" delivery --seed 3 >"$work/plain.txt"
"$lj_sim" delivery --seed 3 --trace "$work/trace.json" >"$work/traced.txt"
"$lj_sim" delivery --seed 3 --log >"$work/log.txt"
hash() { grep -o 'trace=[0-9a-f]*' "$1" | head -1; }
[[ -n "$(hash "$work/plain.txt")" ]] || { echo "no trace hash printed"; exit 1; }
[[ "$(hash "$work/plain.txt")" == "$(hash "$work/traced.txt")" ]] || { echo "--trace changed the run"; exit 1; }
[[ "$(hash "$work/plain.txt")" == "$(hash "$work/log.txt")" ]] || { echo "--log changed the run"; exit 1; }
grep -Eq ' lj-[0-9]+ .*became master' "$work/log.txt" || { echo "--log: no readable event log"; exit 1; }
grep -q ' sim .*fault ' "$work/log.txt" || { echo "--log: no faults in the event log"; exit 1; }

python3 - "$work/trace.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))          # well-formed, or this raises
events = doc["traceEvents"]
tracks = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "thread_name"}
names = set(tracks.values())
for wanted in ["world", "zookeeper", "pop-a", "pop-b", "pop-c", "lj-1", "lj-2", "lj-3", "proxy-1"]:
    assert wanted in names, f"no track named {wanted}: {sorted(names)}"
assert len(tracks) == len(names), "two tracks share a name"
timed = [e for e in events if e["ph"] != "M"]
for e in timed:
    assert e["ph"] in ("i", "X", "B", "E"), e
    assert e["pid"] == 1 and e["tid"] in tracks, f"event on an unnamed track: {e}"
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
    if e["ph"] == "X":
        assert e["dur"] >= 0, e
def having(cat, ph, prefix):
    return [e for e in timed if e.get("cat") == cat and e["ph"] == ph and e["name"].startswith(prefix)]
assert having("fault", "X", "partition") or having("fault", "X", "crash-restart"), "no node fault spans"
assert having("fault", "X", "zk-"), "no ZooKeeper faults"
lj_tracks = {t for t, n in tracks.items() if n.startswith("lj-")}
for stage in ["uploaded", "committed", "published"]:
    marks = having("file", "i", stage + " ")
    assert marks, f"no file {stage} marks"
    assert all(e["tid"] in lj_tracks for e in marks), f"a file {stage} mark off a Lumberjack track"
assert having("file", "X", "upload-to-commit "), "no upload-to-commit spans"
assert having("file", "X", "commit-to-publish "), "no commit-to-publish spans"
assert having("log", "i", ""), "no log lines"
print(f"ok: {len(timed)} events on {len(tracks)} tracks")
PY

# The command line itself: --help answers (exit 0) with every scenario and flag; a flag out of
# its range, an unknown planted bug or no scenario at all is refused with exit 2.
"$lj_sim" --help | grep -q 'delivery' || { echo "lj-sim --help: no scenarios"; exit 1; }
"$lj_sim" delivery --help | grep -q -- '--pops INT:INT in \[1 - 30\]' || { echo "lj-sim delivery --help: no --pops range"; exit 1; }
for refused in "delivery --pops 31" "delivery --planted no-such-bug" "delivery --seeds 0" "" "no-such-world"; do
  set +e
  # shellcheck disable=SC2086  # the words are the arguments
  "$lj_sim" $refused >/dev/null 2>&1
  status=$?
  set -e
  [[ $status -eq 2 ]] || { echo "lj-sim $refused: exit $status, not 2"; exit 1; }
done
echo "ok: lj-sim --help and its refusals"
