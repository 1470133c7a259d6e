# shellcheck shell=bash
# Sourced: free loopback ports for the servers a script starts (ZooKeeper, nginx, rsyslog...).
#
#   free_ports N               N distinct free TCP ports, space-separated
#   free_port                  one
#   wait_accepting PORT WHAT LOG   until something accepts on 127.0.0.1:PORT (10 s); else says
#                              WHAT did not start, with LOG, and fails
#   zookeeper_base_port SERVERS a BASE for ci/zookeeper whose client, quorum and election ports
#                              (BASE+n-1, BASE+100+n, BASE+200+n) are all free
#
# Every port is drawn below the kernel's ephemeral range (ip_local_port_range), never from it
# (binding port 0 would): a port in that range can be taken by any outgoing connection's local
# end before the server binds it, and a probe connecting to it while nothing listens can be
# given that very port as its source and connect to itself (a TCP self-connect), which then
# reads its own bytes back and never closes. Both were seen: a ZooKeeper readiness probe that
# hung a whole test until its ctest timeout.

# A port is free when drawn, not when used: two draws of one script, before either server has
# bound its port, could return the same one (nginx: "a duplicate listen"). So every port a
# script was given is noted in a file of that script's ($$ is the script's in its subshells
# too) and never drawn again for it. A draw removes the files of scripts that have ended.
_ports_given_file="${TMPDIR:-/tmp}/lj-ports-given.$$"

_draw_free_ports() {  # COUNT OFFSETS...: COUNT bases B with every B+offset free, one per line
  python3 - "$_ports_given_file" "$@" <<'PY'
import os, random, socket, sys
given_file = sys.argv[1]
count, offsets = int(sys.argv[2]), [int(o) for o in sys.argv[3:]]
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
top = max(10001, low - 1 - max(offsets))
folder, prefix = os.path.split(given_file)
prefix = prefix.rsplit(".", 1)[0] + "."
for name in os.listdir(folder or "."):
    pid = name[len(prefix):]
    if not (name.startswith(prefix) and pid.isdigit()):
        continue
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:  # that script has ended: its ports are nobody's
        try:
            os.remove(os.path.join(folder, name))
        except FileNotFoundError:
            pass
    except PermissionError:  # alive, another user's
        pass
given = set()
if os.path.exists(given_file):
    given = {int(p) for p in open(given_file).read().split()}
taken, bases = set(given), []
for _ in range(100 * count + 200):
    if len(bases) == count:
        break
    base = random.randrange(10000, top)
    ports = {base + o for o in offsets}
    if ports & taken:
        continue
    try:
        for p in ports:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p))
    except OSError:
        continue
    taken |= ports
    bases.append(base)
if len(bases) < count:
    sys.exit("no free ports below the ephemeral range")
with open(given_file, "a") as f:
    f.write(" ".join(str(b + o) for b in bases for o in offsets) + "\n")
print(*bases, sep="\n")
PY
}

free_ports() {  # N
  _draw_free_ports "$1" 0 | paste -sd' '
}

free_port() { free_ports 1; }

zookeeper_base_port() {  # SERVERS
  local n=$1 offsets=() i
  for i in $(seq 0 $((n - 1))); do offsets+=("$i"); done
  for i in $(seq 1 "$n"); do offsets+=($((100 + i)) $((200 + i))); done
  _draw_free_ports 1 "${offsets[@]}"
}

wait_accepting() {  # PORT WHAT LOG
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "$2 did not start: $(cat "$3")" >&2
  return 1
}
