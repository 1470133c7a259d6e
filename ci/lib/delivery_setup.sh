# shellcheck shell=bash
# shellcheck disable=SC2154  # tmp, fixture: set by the script that sources this
# Sourced by ci/delivery_test and ci/bench-download: the delivery path on loopback without
# ZooKeeper. Lumberjack nodes' nginx (customers rendered exactly as the NginxConfigurator
# renders them), an nginx load balancer in front, TLS everywhere with one self-signed
# certificate for localhost, all under one temp prefix. Every process started through here is
# stopped on exit, failure included.
#
# The sourcing script sets, before calling delivery_setup:
#   fixture   path of lj-delivery-fixture
# and gets:
#   tmp        the temp prefix (removed on exit); $tmp/storage is central storage,
#              $tmp/tls/{cert,key}.pem the certificate, $tmp/keys/key<i>.pem customers' keys
#   nginx_bin  the nginx executable
#   background pids to kill on exit (append to it)
#   fail, step, free_ports, new_api_key, render_node, configure_node, configure_lb,
#   configure_balancer, configure_plain, start_nginx, stop_nginx, reload_nginx, wait_for_status, curl_, status_of

delivery_templates=$(cd "$(dirname "${BASH_SOURCE[0]}")/../nginx" && pwd)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
nginx_modules=/usr/lib/nginx/modules  # Debian's dynamic modules
stream_module=$nginx_modules/ngx_stream_module.so  # libnginx-mod-stream
lua_module=$nginx_modules/ngx_http_lua_module.so   # libnginx-mod-http-lua: the nodes' key check
background=()
nginx_prefixes=()

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# shellcheck source=ci/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"  # free_ports

# A fresh customer password: 24 random bytes as 32 base64url characters (192 bits), the form
# `lj ctl --generate-password` writes.
new_api_key() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }

stop_nginx() {  # PREFIX: its master and its workers (old ones still finishing requests too)
  local pid_file=$1/nginx.pid pid workers
  [ -s "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null || return 0
  workers=$(pgrep -P "$pid" || true)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  # shellcheck disable=SC2046,SC2086  # lists of pids, one word each
  kill -KILL $workers $(pgrep -P "$pid" || true) 2>/dev/null || true
}

delivery_cleanup() {
  local status=$?
  for pid in "${background[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for prefix in "${nginx_prefixes[@]}"; do stop_nginx "$prefix"; done
  if [ "$status" -ne 0 ]; then
    for log in "$tmp"/*/error.log "$tmp"/*.err; do
      [ -s "$log" ] && { echo "--- $log"; tail -n 15 "$log"; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}

# Temp prefix, cleanup on exit, the certificate and the customers' private keys.
delivery_setup() {
  [ -x "$nginx_bin" ] || { echo "nginx is not installed (ci/setup installs it)" >&2; exit 1; }
  [ -f "$stream_module" ] || { echo "no $stream_module (ci/setup installs libnginx-mod-stream)" >&2; exit 1; }
  [ -f "$lua_module" ] || { echo "no $lua_module (ci/setup installs libnginx-mod-http-lua)" >&2; exit 1; }
  tmp=$(mktemp -d /tmp/lj-delivery-XXXXXX)
  chmod 755 "$tmp"
  trap delivery_cleanup EXIT
  trap 'exit 143' TERM INT  # so that cleanup runs when a timeout stops the script
  mkdir -p "$tmp/tls" "$tmp/storage" "$tmp/keys"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" 2>/dev/null
  "$fixture" keys --dir "$tmp/keys"
}

# Fills TEMPLATE's @PREFIX@, @LISTEN@, @USER@ and the extra sed expressions into PREFIX/nginx.conf.
render_template() {  # TEMPLATE PREFIX PORT [SED-EXPRESSION...]
  local template=$1 prefix=$2 port=$3; shift 3
  local expressions=(-e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|127.0.0.1:$port|g" -e "s|@USER@|$(id -un)|g")
  for e in "$@"; do expressions+=(-e "$e"); done
  mkdir -p "$prefix/temp"
  cp -r "$tmp/tls" "$prefix/tls"
  sed "${expressions[@]}" "$delivery_templates/$template" > "$prefix/nginx.conf"
  nginx_prefixes+=("$prefix")
}

# A Lumberjack node's nginx in PREFIX serving STORAGE, directly on PORT and to the load
# balancer on a port of its own, written to PREFIX/lb-port. Each client address may make
# address_rate requests/s (200r/s unless set).
render_node() {  # PREFIX PORT STORAGE RATE
  local prefix=$1 port=$2 storage=$3 rate=$4 lb_port
  lb_port=$(free_ports 1)
  render_template node.conf.template "$prefix" "$port" "s|@LISTEN_LB@|127.0.0.1:$lb_port|g" \
    "s|@STORAGE@|$storage|g" "s|@RATE@|$rate|g" "s|@ADDRESS_RATE@|${address_rate:-200r/s}|g" \
    "s|@MODULES@|$nginx_modules|g"
  echo "$lb_port" > "$prefix/lb-port"
}

# A Lumberjack node's nginx, $tmp/NAME, serving $tmp/storage; customers are
# ACCOUNT:CONFIG:USER:PASSWORD.
configure_node() {  # NAME PORT RATE BURST CUSTOMER...
  local name=$1 port=$2 rate=$3 burst=$4; shift 4
  mkdir -p "$tmp/$name"
  "$fixture" render --nginx-dir "$tmp/$name" --burst "$burst" "$@"
  render_node "$tmp/$name" "$port" "$tmp/storage" "$rate"
}

# The load balancer, $tmp/lb, in front of the nodes rendered into NODE-PREFIXes.
configure_lb() {  # PORT NODE-PREFIX...
  local port=$1 prefix node_ports=(); shift
  for prefix in "$@"; do node_ports+=("$(cat "$prefix/lb-port")"); done
  configure_balancer lb "$port" on "${node_ports[@]}"
}

# A balancer, $tmp/NAME, in front of servers on loopback UPSTREAM-PORTs; PROXY is on or off:
# whether it sends the client's address first (the nodes' LB ports expect it, a plain nginx
# does not).
configure_balancer() {  # NAME PORT PROXY UPSTREAM-PORT...
  local name=$1 port=$2 proxy=$3 upstreams="" upstream conf; shift 3
  for upstream in "$@"; do
    upstreams+="    server 127.0.0.1:$upstream max_fails=1 fail_timeout=2s;"$'\n'
  done
  render_template lb.conf.template "$tmp/$name" "$port" "s|@STREAM_MODULE@|$stream_module|g" \
    "s|proxy_protocol on;|proxy_protocol $proxy;|"
  conf=$(cat "$tmp/$name/nginx.conf")
  printf '%s\n' "${conf//@UPSTREAMS@/${upstreams%$'\n'}}" > "$tmp/$name/nginx.conf"
}

# A plain nginx, $tmp/plain: $tmp/storage over the same TLS, no auth, no rate limit (a baseline).
configure_plain() {  # PORT
  render_template plain.conf.template "$tmp/plain" "$1" "s|@STORAGE@|$tmp/storage|g"
}

start_nginx() {  # NAME...
  local name
  for name in "$@"; do
    "$nginx_bin" -p "$tmp/$name" -e "$tmp/$name/error.log" -c "$tmp/$name/nginx.conf"
  done
}

# Reloads NAME's nginx and returns once the new configuration answers every new connection:
# `nginx -s reload` only signals the master, and until each old worker has taken its quit
# signal (its title turns to "is shutting down", and it closes the listening sockets next) a
# request can still reach the old configuration. Old workers may go on finishing downloads.
reload_nginx() {  # NAME
  local prefix=$tmp/$1 master old pid settled
  master=$(cat "$prefix/nginx.pid")
  old=$(pgrep -P "$master" || true)
  "$nginx_bin" -s reload -p "$prefix" -c "$prefix/nginx.conf" 2>>"$tmp/reload.err"
  for _ in $(seq 200); do
    settled=yes
    for pid in $old; do
      [ -e "/proc/$pid" ] || continue
      tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep 'shutting down' >/dev/null || settled=no
    done
    [ "$settled" = yes ] && [ -n "$(comm -13 <(sort <<<"$old") <(pgrep -P "$master" | sort))" ] && return 0
    sleep 0.05
  done
  fail "nginx $1 did not take its new configuration within 10 s: $(tail -n 3 "$prefix/error.log")"
}

curl_() { curl -s --max-time 20 --path-as-is --cacert "$tmp/tls/cert.pem" "$@"; }
status_of() { curl_ -o /dev/null -w '%{http_code}' "$@" || true; }

# Waits up to 5 s for URL to answer STATUS.
wait_for_status() {  # STATUS CURL-ARGS...
  local want=$1; shift
  for _ in $(seq 50); do
    [ "$(status_of "$@")" = "$want" ] && return 0
    sleep 0.1
  done
  fail "no HTTP $want from curl $*"
}
