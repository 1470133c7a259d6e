#!/usr/bin/env bash
# graceland's command line: --help answers (exit 0); --print-config writes a config file that
# --config reads back to the same configuration, the command line winning over the file; a
# misspelt key in the file, a value out of its form, or neither TLS nor --plaintext is refused
# with exit 2 before anything starts.
# Usage: graceland_cli_test.sh path/to/graceland
set -euo pipefail
graceland=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "graceland_cli_test: $*" >&2; exit 1; }

"$graceland" --help | grep -q -- '--disk-reserve' || fail "--help lists no --disk-reserve"
"$graceland" --pop ams --data-dir "$work/d" --plaintext --disk-reserve 2G --retention-hours 0.5 --print-config \
  >"$work/ams.toml"
grep -qx 'disk-reserve="2G"' "$work/ams.toml" || fail "--print-config: $(cat "$work/ams.toml")"
"$graceland" --config "$work/ams.toml" --print-config >"$work/again.toml"
cmp -s "$work/ams.toml" "$work/again.toml" || fail "a printed config read back differs: $(diff "$work/ams.toml" "$work/again.toml")"
"$graceland" --config "$work/ams.toml" --pop fra --print-config | grep -qx 'pop="fra"' || fail "the command line did not win"

refused() {  # refused WHAT ARGS...: exit 2, nothing started
  local what=$1 status=0
  shift
  "$graceland" "$@" >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] || fail "$what: exit $status, not 2"
}
printf 'pop = "ams"\ndata-dir = "%s"\nplaintext = true\ndisk-reserv = "1G"\n' "$work/d" >"$work/typo.toml"
refused "a misspelt key" --config "$work/typo.toml"
refused "a byte count without a number" --pop ams --data-dir "$work/d" --plaintext --disk-reserve lots
refused "a retention under a minute" --pop ams --data-dir "$work/d" --plaintext --retention-hours 0.001
refused "neither TLS nor --plaintext" --pop ams --data-dir "$work/d"
refused "no --pop" --data-dir "$work/d" --plaintext
[[ ! -e "$work/d" ]] || fail "a refused start created its data directory"
echo "ok: graceland --help, --print-config and --config, and its refusals"
