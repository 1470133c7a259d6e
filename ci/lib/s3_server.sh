# shellcheck shell=bash
# shellcheck disable=SC2154  # work, pki, lj, zk, ctl_auth: set by the script that sources this
# Sourced by cluster.sh: a customer's S3-compatible bucket on loopback - s3rver from the npm
# registry (ci/tools/s3rver, installed by ci/setup), which checks every request's AWS Signature
# V4 - over HTTPS with a certificate of the cluster's CA; the destination Lumberjack pushes files
# to, and the credentials file Lumberjack signs with (`lumberjack --push-credentials`).
#
#   start_s3_server           -> s3_port, s3_bucket, push_credentials (the file, with the
#                                credential "customer" and "wrong", whose secret is not the
#                                server's), push_ca (the CA Lumberjack verifies the server with)
#   push_customer_s3 ACCOUNT [FORMAT]   its files are pushed to
#                                s3://127.0.0.1:PORT/BUCKET/imperva/ACCOUNT (lj ctl set)
#   confirm_s3_push ACCOUNT   the customer reads the ownership check in its bucket (s3cmd) and the
#                             operator confirms it (confirm_push_read, ci/lib/sftp_server.sh)
#   s3_credential ACCOUNT NAME   signs its pushes with another credential (lj ctl set)
#   s3_signal STOP|CONT       a hung server, its connections open
#   s3_restart                stopped (kill -9), then started again on its port and data
#   s3_mirror ACCOUNT DIR     every object under the customer's prefix, downloaded into DIR by
#                             stock clients (curl lists with Signature V4, s3cmd gets), each
#                             file's time when the server stored it

s3_bucket=customer-logs
s3_access_key=S3RVER  # the server's one account
s3_secret=S3RVER

start_s3_server() {
  local dir=$work/s3
  mkdir -p "$dir/data"
  [ -f "$pki/s3.crt" ] || pki_issue "$pki" s3 s3 127.0.0.1 server
  push_ca=$pki/ca.crt
  push_credentials=$dir/push_credentials
  (umask 077 && printf '# NAME ACCESS_KEY_ID SECRET_ACCESS_KEY\ncustomer %s %s\nwrong %s not-the-secret\n' \
    "$s3_access_key" "$s3_secret" "$s3_access_key" >"$push_credentials")
  s3_port=$(free_port)
  _s3_spawn
}

_s3_spawn() {
  local dir=$work/s3
  spawn s3 "$dir/s3rver.log" node /opt/lj-tools/s3rver/run.js -d "$dir/data" -a 127.0.0.1 -p "$s3_port" \
    --key "$pki/s3.key" --cert "$pki/s3.crt" --configure-bucket "$s3_bucket" -s
  wait_accepting "$s3_port" s3rver "$dir/s3rver.log"
}

push_customer_s3() {  # ACCOUNT
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" set --account "$1" \
    --push-url "s3://127.0.0.1:$s3_port/$s3_bucket/imperva/$1" --push-credential customer >/dev/null
}

_s3cmd_at() {  # PORT ARGS...
  local port=$1; shift
  s3cmd -c /dev/null --host="127.0.0.1:$port" --host-bucket="127.0.0.1:$port" --access_key="$s3_access_key" \
    --secret_key="$s3_secret" --ssl --ca-certs="$pki/ca.crt" --region=us-east-1 "$@"
}
_s3cmd() { _s3cmd_at "$s3_port" "$@"; }

confirm_s3_push() {  # ACCOUNT
  confirm_push_read "$1" _s3cmd --force -q get "s3://$s3_bucket/imperva/$1/lumberjack-challenge-$1.txt" -
}

s3_credential() {  # ACCOUNT NAME
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" set --account "$1" --push-credential "$2" >/dev/null
}

s3_signal() { kill -"$1" "$(pid_of s3)" 2>/dev/null || true; }

s3_restart() {
  kill -9 "$(pid_of s3)" 2>/dev/null || true
  while running s3; do sleep 0.05; done
  _s3_spawn
}

# Every object under PREFIX of BUCKET at 127.0.0.1:PORT, "KEY<tab>LastModified" a line: listed
# with curl's Signature V4 (s3cmd's listing requests are not ones s3rver verifies).
_s3_keys() {  # PORT BUCKET PREFIX
  local token="" page query kind key stamp
  local empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  while :; do
    query="list-type=2&prefix=$(jq -rn --arg p "$3" '$p|@uri')"
    [ -z "$token" ] || query="continuation-token=$(jq -rn --arg t "$token" '$t|@uri')&$query"
    page=$(curl -sSf --cacert "$pki/ca.crt" --aws-sigv4 aws:amz:us-east-1:s3 --user "$s3_access_key:$s3_secret" \
      -H "x-amz-content-sha256: $empty" "https://127.0.0.1:$1/$2?$query")
    # "K<tab>key<tab>time of writing" for each object, then "T<tab>next page's token" if any.
    token=""
    while IFS=$'\t' read -r kind key stamp; do
      if [ "$kind" = T ]; then token=$key; else printf '%s\t%s\n' "$key" "$stamp"; fi
    done < <(python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
ns = {"s3": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
find = (lambda e, t: e.find("s3:" + t, ns)) if ns else (lambda e, t: e.find(t))
for c in (root.findall("s3:Contents", ns) if ns else root.findall("Contents")):
    print("K\t" + find(c, "Key").text + "\t" + find(c, "LastModified").text)
t = find(root, "IsTruncated")
if t is not None and t.text == "true": print("T\t" + find(root, "NextContinuationToken").text)
' <<<"$page")
    [ -n "$token" ] || break
  done
}

s3_mirror() {  # ACCOUNT DIR
  local prefix="imperva/$1/" dir=$2 keys=() stamps=() key stamp i
  mkdir -p "$dir"
  while IFS=$'\t' read -r key stamp; do keys+=("$key"); stamps+=("$stamp"); done \
    < <(_s3_keys "$s3_port" "$s3_bucket" "$prefix")
  [ "${#keys[@]}" -gt 0 ] || return 0
  _s3cmd --force -q get "${keys[@]/#/s3://$s3_bucket/}" "$dir/"
  # A file's time is when the server stored the object (lj audit --pushed measures latency to it),
  # not the download's: the server's own data file has it to the nanosecond, where S3's
  # LastModified has it to the second.
  local stored
  for i in "${!keys[@]}"; do
    stored="$work/s3/data/$s3_bucket/${keys[$i]}._S3rver_object"
    if [ -f "$stored" ]; then touch -r "$stored" "$dir/${keys[$i]##*/}"; else touch -d "${stamps[$i]}" "$dir/${keys[$i]##*/}"; fi
  done
}

# The cluster's central store on S3 (`lumberjack --storage-s3`): its own s3rver and bucket, over
# HTTPS as "localhost" (the name each node's nginx verifies the certificate for), with the key
# file Lumberjack signs with. Lumberjacks started after it store there, and their nginx fetches
# customers' files from it (prod/delivery/nginx_s3_origin.h).
#   cluster_s3_store          -> storage_flags, s3_store_port
#   s3_store_mirror DIR       every object under the store's prefix into DIR, folders kept, by
#                             stock clients (curl lists, s3cmd gets): what `lj audit --storage DIR`
#                             reads
s3_store_bucket=lj-central

cluster_s3_store() {
  local dir=$work/s3-store
  mkdir -p "$dir/data"
  [ -f "$pki/s3.crt" ] || pki_issue "$pki" s3 s3 127.0.0.1 server
  (umask 077 && printf '%s %s\n' "$s3_access_key" "$s3_secret" >"$dir/key")
  # nginx's own key (s3rver has one account: the same pair, in a file of its own).
  (umask 077 && printf '%s %s\n' "$s3_access_key" "$s3_secret" >"$dir/read-key")
  s3_store_port=$(free_port)
  spawn s3-store "$dir/s3rver.log" node /opt/lj-tools/s3rver/run.js -d "$dir/data" -a 127.0.0.1 \
    -p "$s3_store_port" --key "$pki/s3.key" --cert "$pki/s3.crt" --configure-bucket "$s3_store_bucket" -s
  wait_accepting "$s3_store_port" s3rver "$dir/s3rver.log"
  storage_flags=(--storage-s3 "s3://localhost:$s3_store_port/$s3_store_bucket/central"
                 --storage-s3-key-file "$dir/key" --storage-s3-read-key-file "$dir/read-key"
                 --storage-ca "$pki/ca.crt")
}

s3_store_mirror() {  # DIR
  local key _stamp
  while IFS=$'\t' read -r key _stamp; do
    mkdir -p "$1/$(dirname "${key#central/}")"
    _s3cmd_at "$s3_store_port" --force -q get "s3://$s3_store_bucket/$key" "$1/${key#central/}"
  done < <(_s3_keys "$s3_store_port" "$s3_store_bucket" central/)
}
