# shellcheck shell=bash
# shellcheck disable=SC2154  # work, pki, lj, zk, ctl_auth: set by the script that sources this
# Sourced by cluster.sh: a customer's syslog collector on loopback - a real rsyslog receiving
# syslog over TLS (imtcp with its GnuTLS driver, RFC 5425 framing) with a certificate of the
# cluster's CA - writing every message it receives raw, one a line after the time it received
# it (epoch seconds with their fraction), for `lj audit --syslog`;
# and the cluster's push key, which the nodes read syslog customers' files with.
#
#   start_syslog_collector     -> syslog_port, syslog_received (the file of messages),
#                                 cluster_push_key (the key pair; start_lumberjack passes it
#                                 as --push-key)
#   push_customer_syslog ACCOUNT   its events are pushed to syslog+tls://127.0.0.1:PORT, the
#                                  collector checked against the cluster's CA, its files in the
#                                  modern encoding (which carries the push key) (lj ctl set)
#   confirm_syslog_push ACCOUNT    the customer reads the ownership check among the messages and
#                                  the operator confirms it (confirm_push_read, sftp_server.sh)
#   syslog_signal STOP|CONT        a hung collector, its connections open
#   syslog_stop / syslog_start     stopped (SIGTERM: it writes what it read first), nothing
#                                  listening on its port, then started again there. Not kill -9:
#                                  a collector acknowledges reading, not storing (syslog has no
#                                  acknowledgement of its own), so what rsyslog holds only in
#                                  memory is the collector's to lose (a disk-assisted queue keeps
#                                  it).

start_syslog_collector() {
  local dir=$work/syslog
  mkdir -p "$dir/work"
  [ -f "$pki/syslog.crt" ] || pki_issue "$pki" syslog syslog 127.0.0.1 server
  cluster_push_key=$dir/push-key.pem
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$cluster_push_key" 2>/dev/null)
  syslog_received=$dir/received.log
  syslog_port=$(free_port)
  cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work" defaultNetstreamDriver="gtls"
       defaultNetstreamDriverCAFile="$pki/ca.crt"
       defaultNetstreamDriverCertFile="$pki/syslog.crt"
       defaultNetstreamDriverKeyFile="$pki/syslog.key")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" port="$syslog_port")
template(name="raw" type="string"
         string="%timegenerated:::date-unixtimestamp%.%timegenerated:::date-subseconds% %rawmsg%\n")
action(type="omfile" file="$syslog_received" template="raw")
CONF
  _syslog_spawn
}

_syslog_spawn() {
  local dir=$work/syslog
  rm -f "$dir/rsyslogd.pid"
  spawn syslog "$dir/rsyslogd.log" /usr/sbin/rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid"
  wait_accepting "$syslog_port" rsyslogd "$dir/rsyslogd.log"
}

push_customer_syslog() {  # ACCOUNT
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" set --account "$1" --encoding modern \
    --push-url "syslog+tls://127.0.0.1:$syslog_port" --push-ca-file "$pki/ca.crt" >/dev/null
  sed -i 's/ imperva$/ modern/' "$work/customers/$1.kind"
}

confirm_syslog_push() {  # ACCOUNT
  confirm_push_read "$1" sh -c "grep -o 'lumberjack-challenge-$1.txt .*token=[0-9a-f]*' '$syslog_received' |
    tail -n 1 | grep -o 'token=[0-9a-f]*'"
}

syslog_signal() { kill -"$1" "$(pid_of syslog)" 2>/dev/null || true; }

syslog_stop() {
  kill -TERM "$(pid_of syslog)" 2>/dev/null || true
  while running syslog; do sleep 0.05; done
}

syslog_start() { _syslog_spawn; }
