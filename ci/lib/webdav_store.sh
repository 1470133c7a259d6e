# shellcheck shell=bash
# Sourced by ci/lumberjack-failover and ci/lib/cluster.sh: a real nginx WebDAV server, the
# central object store of a multi-machine cluster (`lumberjack --storage-webdav`).
#
#   start_webdav_store DIR STORAGE PORT   nginx under DIR serves STORAGE at
#                                         https://127.0.0.1:PORT/objects/ with PUT, MOVE, DELETE
#                                         and a JSON listing, to the user "lumberjack" only
#                                         (Basic, password in DIR/password, certificate
#                                         DIR/tls.crt); its master's pid in DIR/nginx.pid
#   webdav_store_flags DIR PORT           the lumberjack flags that reach it
#   webdav_store_pids DIR                 the master's and its workers' pids (for SIGSTOP)
#   stop_webdav_store DIR

start_webdav_store() {  # DIR STORAGE PORT
  local dir=$1 storage=$2 port=$3
  mkdir -p "$dir/temp" "$dir/www" "$storage"
  ln -sfn "$storage" "$dir/www/objects"
  # nginx's workers drop root for an unprivileged user: let them reach and fill the store.
  chmod 755 "$dir" "$dir/www"
  chmod 777 "$storage"
  local up=$dir
  while [ "$up" != / ]; do
    up=$(dirname "$up")
    [ -O "$up" ] && chmod o+x "$up"
  done
  # TLS and a password: nobody else may replace or delete what the cluster stores.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=lumberjack-storage \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
  (umask 077 && head -c 18 /dev/urandom | base64 >"$dir/password")
  printf 'lumberjack:%s\n' "$(openssl passwd -6 -stdin <"$dir/password")" >"$dir/htpasswd"
  chmod 644 "$dir/htpasswd"  # nginx's workers read it; it holds only a salted hash
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $dir/tls.crt;
    ssl_certificate_key $dir/tls.key;
    root $dir/www;
    client_max_body_size 256m;
    location /objects/ {
      dav_methods PUT DELETE MOVE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      autoindex on;
      autoindex_format json;
      auth_basic "lumberjack storage";
      auth_basic_user_file $dir/htpasswd;
    }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf"
  local _
  for _ in $(seq 1 100); do [ -s "$dir/nginx.pid" ] && return 0; sleep 0.05; done
  echo "nginx WebDAV store under $dir did not start: $(cat "$dir/error.log" 2>/dev/null)" >&2
  return 1
}

webdav_store_flags() {  # DIR PORT
  echo "--storage-webdav 127.0.0.1:$2/objects --storage-ca $1/tls.crt --storage-user lumberjack" \
    "--storage-password-file $1/password"
}

webdav_store_pids() {  # DIR
  local master
  master=$(cat "$1/nginx.pid" 2>/dev/null) || return 0
  echo "$master" "$(pgrep -P "$master" | paste -sd' ' || true)"
}

stop_webdav_store() {  # DIR
  local pid
  for pid in $(webdav_store_pids "$1"); do kill -CONT "$pid" 2>/dev/null || true; done
  [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
}
