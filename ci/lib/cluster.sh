# shellcheck shell=bash
# Sourced by ci/demo and ci/chaos: a whole Lumberjack cluster on loopback, real processes. A
# ZooKeeper ensemble (ci/zookeeper), Graceland daemons (PoPs), Lumberjack nodes each with its
# nginx (`lumberjack --nginx-dir`, node.conf.template), the nginx load balancer, proxy fleets
# (`lj gen`) and one `lj fetch` per customer downloading through the load balancer. nginx set-up
# comes from ci/lib/delivery_setup.sh (its $tmp is our $work).
#
#   cluster_init BUILD_DIR WORK_DIR    first; sets build, lj, work, t0; stops everything on exit
#                                       (and removes WORK_DIR after success if cluster_remove_on_success=1)
# Then, each writing under $work (pids in $work/run/NAME.pid, logs beside them):
#   cluster_zookeeper N                 -> zk (hosts string)
#   cluster_customers N ROLL_AGE_MS [shared-key]
#                                       -> accounts (1001...), CEF/W3C x modern/imperva in turn, all
#                                       added by one `lj ctl add --from`; shared-key: one RSA key pair
#                                       for all of them (load runs: one keygen instead of N)
#   start_graceland POP LISTEN [FLAG...] -> graceland_addr[POP] (FLAGs go to graceland); its
#                                       /metrics at graceland_metrics[POP] (the same port on a restart)
#   cluster_webdav_store                Lumberjacks started after it store through a real nginx
#                                       WebDAV server ($work/dav, files in $work/storage)
#   start_sftp_server / push_customer A a customer's SFTP server; Lumberjacks started after it
#                                       push with its key (ci/lib/sftp_server.sh)
#   start_s3_server / push_customer_s3 A   a customer's S3-compatible bucket; Lumberjacks started
#                                       after it sign with its credentials (ci/lib/s3_server.sh)
#   start_lumberjack NAME SESSION_MS    its nginx on a free port first -> node_port[NAME]
#                                       (push_timeout_ms set: --push-timeout-ms); its /metrics and
#                                       status page at node_metrics[NAME] (the same port on a restart)
#   start_lb                            the load balancer in front of every node -> lb_url
#   cluster_prometheus                  Debian's prometheus scraping every Graceland and node
#                                       started so far, with the alert rules (ci/lib/prometheus.sh)
#                                       -> prometheus_url (empty, and said, if it is not installed)
#   start_fetch ACCOUNT POLL_MS         $work/fetch/ACCOUNT/{out/,received,state,log}
#   start_gen FLEET POPS PROXIES FIRST_ID RATE EVENTS [WEIGHTS]   proxies homed at the first of
#                                       POPS, failing over along them; $work/gen-FLEET.{out,progress},
#                                       ledger-FLEET; WEIGHTS: lj gen --account-weights (uniform)
#   cluster_pids KIND                   pids of graceland|lumberjack|nginx|zookeeper|gen|fetch
#   lumberjack_master                   prints the master's name (lj-N), or nothing
#   wait_served ACCOUNT                 until nginx behind the load balancer knows the customer
#   kill9 NAME / running NAME / pid_of NAME
#   gen_progress / fetch_progress / published_files   for progress lines
#   say TEXT                            "[  12.3s] TEXT", time since cluster_init

delivery_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/delivery_setup.sh
# shellcheck source=ci/lib/delivery_setup.sh
source "$delivery_lib"
# shellcheck source=ci/lib/webdav_store.sh
source "$(dirname "$delivery_lib")/webdav_store.sh"
# shellcheck source=ci/lib/pki.sh
source "$(dirname "$delivery_lib")/pki.sh"
# shellcheck source=ci/lib/sftp_server.sh
source "$(dirname "$delivery_lib")/sftp_server.sh"
# shellcheck source=ci/lib/s3_server.sh
source "$(dirname "$delivery_lib")/s3_server.sh"
# shellcheck source=ci/lib/syslog_collector.sh
source "$(dirname "$delivery_lib")/syslog_collector.sh"
# shellcheck source=ci/lib/prometheus.sh
source "$(dirname "$delivery_lib")/prometheus.sh"
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

declare -A graceland_addr node_port graceland_metrics node_metrics
accounts=()
lumberjacks=()

# shellcheck source=ci/lib/clock.sh
source "$(dirname "$delivery_lib")/clock.sh"  # now_ms
say() {
  local ms=$(($(now_ms) - t0))
  printf '[%4d.%01ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}
wait_file() {  # FILE [SECONDS=10]: until it exists and is not empty
  local tries=$((${2:-10} * 20))
  for _ in $(seq 1 "$tries"); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "timed out waiting for $1" >&2
  return 1
}

pid_of() { cat "$work/run/$1.pid" 2>/dev/null || true; }
running() {  # NAME: alive (an exited child not yet reaped is a zombie: not running)
  local p state
  p=$(pid_of "$1")
  [ -n "$p" ] || return 1
  state=$(ps -o stat= -p "$p" 2>/dev/null || true)
  [ -n "$state" ] && [[ "$state" != Z* ]]
}
# Starts a background process that cluster_stop kills; its pid goes to $work/run/NAME.pid.
# disown: a kill -9 on purpose is not reported as news by bash.
spawn() {  # NAME LOG COMMAND...
  local name=$1 log=$2; shift 2
  "$@" >/dev/null 2>>"$log" &
  echo $! >"$work/run/$name.pid"
  disown $!
}
kill9() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; }

cluster_stop() {
  local status=$? pidfile
  trap - EXIT
  # Downloaders and load first (SIGTERM: lj fetch finishes the file in progress; a second
  # later whatever is left is killed with the rest).
  local stopping=0
  for pidfile in "$work"/run/fetch-*.pid "$work"/run/gen-*.pid; do
    if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then stopping=1; fi
  done
  if [ "$stopping" = 1 ]; then sleep 1; fi
  for pidfile in "$work"/run/*.pid; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  for pidfile in "$work"/run/*.stopped; do
    [ -f "$pidfile" ] && kill -CONT "$(cat "$pidfile")" 2>/dev/null || true
  done
  for prefix in "${nginx_prefixes[@]}"; do stop_nginx "$prefix"; done
  [ -d "$work/dav" ] && stop_webdav_store "$work/dav"
  [ -d "$work/zk" ] && "$ci_dir/zookeeper" stop "$work/zk"
  [ "$status" = 0 ] && [ "${cluster_remove_on_success:-0}" = 1 ] && rm -rf "$work"
  exit "$status"
}

cluster_init() {  # BUILD_DIR WORK_DIR
  build=$(realpath "$1")
  work=$2
  lj=$build/prod/cmd/lj/lj
  for binary in "$lj" "$build/prod/cmd/graceland/graceland" "$build/prod/cmd/lumberjack/lumberjack"; do
    [ -x "$binary" ] || { echo "no $binary: build first" >&2; exit 1; }
  done
  [ -x "$nginx_bin" ] || { echo "nginx is not installed (ci/setup installs it)" >&2; exit 1; }
  mkdir -p "$work/run" "$work/tls" "$work/storage"
  chmod 755 "$work"
  storage_flags=(--storage-dir "$work/storage")
  tmp=$work  # delivery_setup.sh's prefix
  t0=$(now_ms)
  trap cluster_stop EXIT
  trap 'exit 143' TERM INT  # cleanup runs when a timeout or ^C stops the script
  # The operator's CA for Graceland's mutual TLS: every Graceland, proxy fleet, Lumberjack node
  # and `lj ctl status` proves who it is ($pki/NAME.{crt,key}; operator_tls for lj ctl).
  pki=$work/pki
  pki_init "$pki"
  pki_issue "$pki" operator operator ops
  read -r -a operator_tls <<<"$(graceland_client_flags "$pki" operator)"
  # ZooKeeper: every process authenticates (digest) and every node has its role's ACL.
  zk_auth_init "$work/zkauth"
  ctl_auth=(--zk-auth "$work/zkauth/operator.zkauth")
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
}

cluster_zookeeper() {  # SERVERS
  zk=$("$ci_dir/zookeeper" start "$work/zk" "$1" "$(zookeeper_base_port "$1")")
}

cluster_webdav_store() {
  local port
  port=$(free_port)
  start_webdav_store "$work/dav" "$work/storage" "$port"
  read -r -a storage_flags <<<"$(webdav_store_flags "$work/dav" "$port")"
}

# A customer's password (the API key nginx checks): delivery_setup.sh's new_api_key, 192 random
# bits in 32 URL-safe characters. The one place this file makes passwords.
new_password() {  # FILE
  new_api_key >"$1"
}

cluster_customers() {  # COUNT ROLL_AGE_MS [shared-key]
  # Every format in the first four, each in the other encoding in the next four (LEEF with a
  # caret delimiter there).
  local kinds=("CEF modern" "W3C imperva" "LEEF modern" "JSON imperva"
               "CEF imperva" "W3C modern" "LEEF imperva" "JSON modern") i account format encoding leef
  local dir=$work/customers
  mkdir -p "$dir"
  [ "${3:-}" = shared-key ] && "$lj" keygen --private "$dir/shared.pem" --public "$dir/shared.pub" >/dev/null
  : >"$dir/add"
  for i in $(seq 0 $(($1 - 1))); do
    account=$((1001 + i))
    read -r format encoding <<<"${kinds[$((i % 8))]}"
    leef=""
    [ "$format" = LEEF ] && [ $((i % 8)) -ge 4 ] && leef="--leef-delimiter ^"
    if [ "${3:-}" = shared-key ]; then
      ln -s shared.pem "$dir/$account.pem"
      ln -s shared.pub "$dir/$account.pub"
    else
      "$lj" keygen --private "$dir/$account.pem" --public "$dir/$account.pub" >/dev/null
    fi
    new_password "$dir/$account.password"
    echo "--account $account --format $format $leef --encoding $encoding --public-key $dir/$account.pub" \
      "--username siem-$account --password-file $dir/$account.password" >>"$dir/add"
    echo "$format $encoding" >"$dir/$account.kind"
    accounts+=("$account")
  done
  # One process and one ZooKeeper session for them all.
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" add --from "$dir/add" --roll-age-ms "$2" >/dev/null
}

start_graceland() {  # POP LISTEN [FLAG...] (127.0.0.1:0 for any port; a restart passes its old address)
  local pop=$1 dir="$work/$1" listen=$2
  shift 2
  mkdir -p "$dir"
  rm -f "$dir/ready"
  # Its server certificate names its PoP: readers check it against the PoP they read.
  [ -f "$pki/graceland-$pop.crt" ] || pki_issue "$pki" "graceland-$pop" graceland "$pop" server
  # One metrics port for its life, restarts included: Prometheus' target stays valid.
  [ -n "${graceland_metrics[$pop]:-}" ] || graceland_metrics[$pop]=127.0.0.1:$(free_port)
  spawn "graceland-$pop" "$dir/graceland.log" "$build/prod/cmd/graceland/graceland" --pop "$pop" \
    --data-dir "$dir" --listen "$listen" --ready-file "$dir/ready" --zookeeper "$zk" \
    --metrics-listen "${graceland_metrics[$pop]}" \
    --tls-cert "$pki/graceland-$pop.crt" --tls-key "$pki/graceland-$pop.key" --client-ca "$pki/ca.crt" \
    --zk-auth "$work/zkauth/graceland.zkauth" "$@"
  wait_file "$dir/ready"
  graceland_addr[$pop]=$(cat "$dir/ready")
}

start_lumberjack() {  # NAME SESSION_TIMEOUT_MS: its nginx (once), then the daemon rendering it
  local name=$1 dir="$work/$1"
  mkdir -p "$dir"
  if [ -z "${node_port[$name]:-}" ]; then
    node_port[$name]=$(free_port)
    render_node "$dir/nginx" "${node_port[$name]}" "$work/storage" 100r/s
    start_nginx "$name/nginx"
    lumberjacks+=("$name")
  fi
  rm -f "$dir/ready"
  [ -f "$pki/$name.crt" ] || pki_issue "$pki" "$name" lumberjack "$name"
  [ -n "${node_metrics[$name]:-}" ] || node_metrics[$name]=127.0.0.1:$(free_port)
  # shellcheck disable=SC2046 # the TLS flags are words
  spawn "$name" "$dir/lumberjack.log" "$build/prod/cmd/lumberjack/lumberjack" --name "$name" --zookeeper "$zk" \
    "${storage_flags[@]}" --session-timeout-ms "$2" --ready-file "$dir/ready" --nginx-dir "$dir/nginx" \
    --metrics-listen "${node_metrics[$name]}" \
    --zk-auth "$work/zkauth/lumberjack.zkauth" ${push_key:+--push-ssh-key "$push_key"} \
    ${push_timeout_ms:+--push-timeout-ms "$push_timeout_ms"} \
    ${push_credentials:+--push-credentials "$push_credentials" --push-ca-file "$push_ca"} \
    ${cluster_push_key:+--push-key "$cluster_push_key"} \
    $(graceland_client_flags "$pki" "$name")
  wait_file "$dir/ready"
}

start_lb() {
  local name prefixes=()
  for name in "${lumberjacks[@]}"; do prefixes+=("$work/$name/nginx"); done
  configure_lb "$(free_port)" "${prefixes[@]}"
  start_nginx lb
  lb_url=https://localhost:$(sed -n 's/^ *listen 127.0.0.1:\([0-9]*\).*/\1/p' "$work/lb/nginx.conf")
}

cluster_prometheus() {
  local dir=$work/prometheus pop name gracelands="" nodes="" port
  prometheus_url=""
  if ! command -v prometheus >/dev/null; then
    say "Prometheus: not installed (Debian's prometheus: ci/setup installs it); going on without it"
    return 0
  fi
  mkdir -p "$dir/data"
  for pop in "${!graceland_metrics[@]}"; do gracelands+="$pop=${graceland_metrics[$pop]} "; done
  for name in "${lumberjacks[@]}"; do nodes+="$name=${node_metrics[$name]} "; done
  write_prometheus_config "$dir/prometheus.yml" "$gracelands" "$nodes"
  port=$(free_port)
  spawn prometheus "$dir/prometheus.log" prometheus --config.file "$dir/prometheus.yml" \
    --storage.tsdb.path "$dir/data" --web.listen-address "127.0.0.1:$port"
  wait_accepting "$port" prometheus "$dir/prometheus.log"
  # shellcheck disable=SC2034  # read by the script that sources this
  prometheus_url=http://127.0.0.1:$port
}

start_fetch() {  # ACCOUNT POLL_MS: downloads through the load balancer until stopped
  local account=$1 dir="$work/fetch/$1" legacy=()
  mkdir -p "$dir"
  grep -q imperva "$work/customers/$account.kind" && legacy=(--accept-imperva)
  spawn "fetch-$account" "$dir/log" "$lj" fetch --url "$lb_url/${account}_1/" --user "siem-$account" \
    --password-file "$work/customers/$account.password" --key "$work/customers/$account.pem" \
    --ca-file "$work/tls/cert.pem" --state "$dir/state" --out-dir "$dir/out" --received-log "$dir/received" \
    --poll-ms "$2" "${legacy[@]}"
}

start_gen() {  # FLEET "POP POP..." PROXIES FIRST_PROXY_ID RATE EVENTS [WEIGHTS]: homed at the first POP
  local fleet=$1 targets="" pop home
  for pop in $2; do targets+="${targets:+,}${graceland_addr[$pop]}"; done
  read -r home _ <<<"$2"
  local account_list
  account_list=$(IFS=,; echo "${accounts[*]}")
  # The fleet's certificate names exactly its proxy ids.
  pki_issue "$pki" "gen-$fleet" proxy "$4-$(($4 + $3 - 1))"
  # Not spawn(): its stdout is the summary.
  # shellcheck disable=SC2046 # the TLS flags are words
  "$lj" gen --gracelands "$targets" --pop "$home" --proxies "$3" --first-proxy-id "$4" --accounts "$account_list" \
    --account-weights "${7:-uniform}" --rate "$5" --events "$6" --ledger "$work/ledger-$fleet" --timeout-s 600 \
    --progress-s 1 $(graceland_client_flags "$pki" "gen-$fleet") \
    >"$work/gen-$fleet.out" 2>"$work/gen-$fleet.progress" &
  echo $! >"$work/run/gen-$fleet.pid"
}

# The pids of one kind of process that are alive now (nginx: masters and workers, the load
# balancer's too; zookeeper: one JVM per server).
cluster_pids() {  # graceland|lumberjack|nginx|zookeeper|gen|fetch
  local pidfile pid
  case "$1" in
    graceland) cat "$work"/run/graceland-*.pid 2>/dev/null ;;
    lumberjack) for pidfile in "$work"/run/lj-*.pid; do [ -f "$pidfile" ] && cat "$pidfile"; done ;;
    nginx)
      for pidfile in "$work"/*/nginx/nginx.pid "$work"/lb/nginx.pid; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        echo "$pid"
        pgrep -P "$pid" || true
      done
      ;;
    zookeeper) cat "$work"/zk/zk*/pid 2>/dev/null ;;
    gen) cat "$work"/run/gen-*.pid 2>/dev/null ;;
    fetch) cat "$work"/run/fetch-*.pid 2>/dev/null ;;
  esac | while read -r pid; do [ -d "/proc/$pid" ] && echo "$pid"; done
  return 0
}

lumberjack_master() {
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" status "${operator_tls[@]}" 2>/dev/null | sed -n 's/^master: \(lj-[0-9]*\)-.*/\1/p'
}

# Sums the last progress line of every lj gen: "produced acknowledged".
gen_progress() {
  local f produced=0 acked=0 line
  for f in "$work"/gen-*.progress; do
    line=$(tail -n 1 "$f" 2>/dev/null || true)
    [[ "$line" =~ produced=([0-9]+)\ acknowledged=([0-9]+) ]] || continue
    produced=$((produced + BASH_REMATCH[1]))
    acked=$((acked + BASH_REMATCH[2]))
  done
  echo "$produced $acked"
}

# Waits up to 10 s until ACCOUNT's credentials work through the load balancer (nginx configured).
wait_served() {  # ACCOUNT
  local code
  for _ in $(seq 100); do
    code=$(status_of -u "siem-$1:$(cat "$work/customers/$1.password")" "$lb_url/${1}_1/logs.index")
    [ "$code" = 200 ] || [ "$code" = 404 ] && return 0
    sleep 0.1
  done
  echo "customer $1 is not served through $lb_url (HTTP $code)" >&2
  return 1
}

published_files() { cat "$work"/storage/*/logs.index 2>/dev/null | wc -l; }

# Events the downloaders have received so far (lines of their received logs, repeats included).
fetch_progress() {
  cat "$work"/fetch/*/received 2>/dev/null | wc -l
}
