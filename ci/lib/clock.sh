# shellcheck shell=bash
# Wall-clock milliseconds for the scripts' timings, from bash's EPOCHREALTIME (no `date` fork).
#   now_ms              prints them (for $(now_ms))
#   now_ms_into_reply   sets REPLY instead: no subshell either, for polls every few ms
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
now_ms_into_reply() { REPLY=$((${EPOCHREALTIME/./} / 1000)); }
