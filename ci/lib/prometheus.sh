# shellcheck shell=bash
# Sourced: Prometheus (Debian's `prometheus`, which ci/setup installs) scraping Lumberjack's
# daemons, with the alert rules the package ships (packaging/prometheus/lumberjack-rules.yml).
# ci/demo starts it through cluster.sh (cluster_prometheus); ci/prometheus-test checks the
# configuration written here with promtool. Needs curl and jq.
#
#   prometheus_rules                   the rules file's path
#   write_prometheus_config FILE GRACELANDS LUMBERJACKS
#                                      a prometheus.yml scraping and evaluating every 5 s:
#                                      GRACELANDS "POP=HOST:PORT ..." (job graceland, label pop),
#                                      LUMBERJACKS "NAME=HOST:PORT ..." (job lumberjack, label node)
#   prometheus_targets URL             "UP TOTAL": its scrape targets, and how many are up
#   prometheus_down_targets URL        the targets not up, by their pop or node label ("none")
#   wait_prometheus_targets URL SECONDS   until every target is up, at most SECONDS; "UP TOTAL"
#   prometheus_alerts URL STATE        the names of the alerts in STATE (firing, pending), or "none"
#   prometheus_missing_metrics URL     the metrics the rules use that no scraped series has

prometheus_rules() {
  echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/packaging/prometheus/lumberjack-rules.yml"
}

# "NAME=HOST:PORT ..." as static_configs, each target labelled LABEL=NAME.
_prometheus_targets_yaml() {  # LABEL "NAME=HOST:PORT ..."
  local item
  for item in $2; do
    printf "      - targets: ['%s']\n        labels: {%s: '%s'}\n" "${item#*=}" "$1" "${item%%=*}"
  done
}

write_prometheus_config() {  # FILE GRACELANDS LUMBERJACKS
  cat >"$1" <<YAML
# Written by ci/lib/prometheus.sh: every Graceland and Lumberjack node of one cluster.
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 5s
rule_files:
  - '$(prometheus_rules)'
scrape_configs:
  - job_name: graceland
    static_configs:
$(_prometheus_targets_yaml pop "$2")
  - job_name: lumberjack
    static_configs:
$(_prometheus_targets_yaml node "$3")
YAML
}

_prometheus_get() {  # URL PATH
  curl -fsS --max-time 5 "$1$2"
}

prometheus_targets() {  # URL
  _prometheus_get "$1" /api/v1/targets |
    jq -r '.data.activeTargets | "\(map(select(.health == "up")) | length) \(length)"'
}

prometheus_down_targets() {  # URL
  local names
  names=$(_prometheus_get "$1" /api/v1/targets |
    jq -r '[.data.activeTargets[] | select(.health != "up") | .labels.pop // .labels.node // .scrapeUrl] | join(" ")')
  echo "${names:-none}"
}

wait_prometheus_targets() {  # URL SECONDS
  local counts=""
  for _ in $(seq $(($2 * 2))); do
    counts=$(prometheus_targets "$1" 2>/dev/null || true)
    # (Every target scraped once: up; "0 0" is a Prometheus that has not loaded its targets yet.)
    [ -n "$counts" ] && [ "${counts% *}" = "${counts#* }" ] && [ "$counts" != "0 0" ] && break
    sleep 0.5
  done
  echo "${counts:-0 0}"
}

prometheus_alerts() {  # URL firing|pending
  local names
  names=$(_prometheus_get "$1" /api/v1/alerts |
    jq -r --arg state "$2" '[.data.alerts[] | select(.state == $state) | .labels.alertname] | unique | join(" ")')
  echo "${names:-none}"
}

prometheus_missing_metrics() {  # URL
  local names
  names=$(_prometheus_get "$1" /api/v1/label/__name__/values | jq -r '.data[]')
  grep -oE '\b(graceland|lumberjack)_[a-z_]+' "$(prometheus_rules)" | sort -u | while read -r metric; do
    grep -qx "$metric" <<<"$names" || echo "$metric"
  done
}
