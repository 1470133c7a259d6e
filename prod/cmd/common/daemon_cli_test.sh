#!/usr/bin/env bash
# A daemon's command line (graceland, lumberjack): --help answers (exit 0); --print-config
# writes a config file that --config reads back to the same configuration, the command line
# winning over the file; a misspelt key in the file, and each refusal the daemon's own list
# gives, exit 2 before anything starts.
# Usage: daemon_cli_test.sh graceland|lumberjack path/to/binary
set -euo pipefail
kind=$1
daemon=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "daemon_cli_test $kind: $*" >&2; exit 1; }
refused() {  # refused WHAT ARGS...: exit 2, nothing started
  local what=$1 status=0
  shift
  "$daemon" "$@" >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] || fail "$what: exit $status, not 2"
}

case "$kind" in
  graceland)
    base=(--pop ams --data-dir "$work/d" --plaintext --disk-reserve 2G --retention-hours 0.5)
    given='disk-reserve="2G"' override=(--pop fra) overridden='pop="fra"' typo='disk-reserv = "1G"'
    refused "a byte count without a number" --pop ams --data-dir "$work/d" --plaintext --disk-reserve lots
    refused "a retention under a minute" --pop ams --data-dir "$work/d" --plaintext --retention-hours 0.001
    refused "neither TLS nor --plaintext" --pop ams --data-dir "$work/d"
    refused "no --pop" --data-dir "$work/d" --plaintext
    ;;
  lumberjack)
    base=(--name lj-1 --zookeeper 127.0.0.1:1 --storage-webdav 127.0.0.1:2/dav --pops ams=127.0.0.1:3 --file-threads 2)
    given='pops="ams=127.0.0.1:3"' override=(--name lj-9) overridden='name="lj-9"' typo='graceland-timeout = 500'
    refused "two stores" --name lj-1 --zookeeper z:1 --storage-dir "$work/d" --storage-webdav h:1
    refused "a directory and S3" --name lj-1 --zookeeper z:1 --storage-dir "$work/d" --storage-s3 s3://h/bucket
    refused "S3 without its key" --name lj-1 --zookeeper z:1 --storage-s3 s3://h/bucket
    refused "not an S3 URL" --name lj-1 --zookeeper z:1 --storage-s3 https://h/bucket --storage-s3-key-file /etc/hostname
    refused "an S3 key file without its pair" --name lj-1 --zookeeper z:1 --storage-s3 s3://h/bucket --storage-s3-key-file /etc/hostname
    refused "a read key without S3" --name lj-1 --zookeeper z:1 --storage-dir "$work/d" --storage-s3-read-key-file /etc/hostname
    refused "a session timeout under 400 ms" --name lj-1 --zookeeper z:1 --storage-dir "$work/d" --session-timeout-ms 50
    refused "a bad --pops" --name lj-1 --zookeeper z:1 --storage-dir "$work/d" --pops ams
    refused "no --name" --zookeeper z:1 --storage-dir "$work/d"
    ;;
  *) fail "no such daemon" ;;
esac

"$daemon" --help | grep -- '--print-config' >/dev/null || fail "--help lists no --print-config"
"$daemon" "${base[@]}" --print-config >"$work/daemon.toml"
grep -qx "$given" "$work/daemon.toml" || fail "--print-config lacks $given: $(cat "$work/daemon.toml")"
"$daemon" --config "$work/daemon.toml" --print-config >"$work/again.toml"
cmp -s "$work/daemon.toml" "$work/again.toml" ||
  fail "a printed config read back differs: $(diff "$work/daemon.toml" "$work/again.toml")"
"$daemon" --config "$work/daemon.toml" "${override[@]}" --print-config | grep -x "$overridden" >/dev/null ||
  fail "the command line did not win over the file"
{ cat "$work/daemon.toml"; echo "$typo"; } >"$work/typo.toml"
refused "a misspelt key" --config "$work/typo.toml"
[[ ! -e "$work/d" ]] || fail "a refused start created its data directory"
echo "ok: $kind --help, --print-config and --config, and its refusals"
