# shellcheck shell=bash
# shellcheck disable=SC2154  # work, lj, zk, ctl_auth: set by the script that sources this
# Sourced by cluster.sh: a customer's SFTP server on loopback (OpenSSH's sshd: its own host key,
# key authentication only, internal-sftp), the destination Lumberjack pushes files to, and the
# key Lumberjack pushes with (`lumberjack --push-ssh-key`).
#
#   start_sftp_server        -> sftp_port, sftp_host_key (SHA256:...), push_key, sftp_files (the
#                               folder customers' files land in: $sftp_files/ACCOUNT)
#   push_customer ACCOUNT    its files are pushed there too (lj ctl set --push-url ...), once
#                            confirmed:
#   confirm_sftp_push ACCOUNT   the customer reads the ownership check a Lumberjack wrote to its
#                            folder and the operator confirms it (lj ctl confirm-push); needs a
#                            running Lumberjack; waits up to 30 s
#   confirm_push_read ACCOUNT CMD...   the same, the check's text printed by CMD (any destination)
#   sftp_signal STOP|CONT    to the server and every session it forked: a hung server
#   sftp_refuse_key / sftp_accept_key   Lumberjack's key taken out of authorized_keys (its open
#                            sessions dropped), or back

start_sftp_server() {
  local dir=$work/sftp
  mkdir -p "$dir"
  sftp_files=$dir/files
  mkdir -p "$sftp_files"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/push_key"
  push_key=$dir/push_key  # read by cluster.sh's start_lumberjack
  export push_key
  cp "$dir/push_key.pub" "$dir/authorized_keys"
  sftp_host_key=$(ssh-keygen -l -E sha256 -f "$dir/host_key.pub" | awk '{print $2}')
  sftp_port=$(free_port)
  [ "$(id -u)" != 0 ] || mkdir -p /run/sshd  # privilege separation, when run as root
  cat >"$dir/sshd_config" <<CONF
Port $sftp_port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel ERROR
CONF
  spawn sftp "$dir/sshd.log" /usr/sbin/sshd -D -e -f "$dir/sshd_config"
  wait_accepting "$sftp_port" sshd "$dir/sshd.log"
}

push_customer() {  # ACCOUNT
  "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" set --account "$1" \
    --push-url "sftp://$(id -un)@127.0.0.1:$sftp_port$sftp_files/$1" --push-host-key "$sftp_host_key" >/dev/null
}

sftp_signal() {  # STOP|CONT
  local pids
  pids=$(pid_of sftp)
  local frontier=$pids
  while [ -n "$frontier" ]; do
    frontier=$(for p in $frontier; do pgrep -P "$p" || true; done)
    pids+=" $frontier"
  done
  # shellcheck disable=SC2086 # a list of pids
  kill -"$1" $pids 2>/dev/null || true
}

sftp_refuse_key() {  # and the sessions open with it are dropped, as an admin revoking it does
  : >"$work/sftp/authorized_keys"
  pkill -TERM -P "$(pid_of sftp)" || true
}
sftp_accept_key() { cp "$work/sftp/push_key.pub" "$work/sftp/authorized_keys"; }

confirm_push_read() {  # ACCOUNT CMD...: CMD prints the destination's challenge object, or fails
  local account=$1 token="" _
  shift
  for _ in $(seq 60); do
    token=$("$@" 2>/dev/null | sed -n 's/^token=\([0-9a-f]\{32\}\)$/\1/p') || true
    if [ -n "$token" ] && "$lj" ctl --zookeeper "$zk" "${ctl_auth[@]}" confirm-push --account "$account" \
      --token "$token" >"$work/confirm-$account.out" 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "customer $account's push destination was never confirmed: $(cat "$work/confirm-$account.out" 2>/dev/null)" >&2
  return 1
}

confirm_sftp_push() {  # ACCOUNT
  confirm_push_read "$1" cat "$sftp_files/$1/lumberjack-challenge-$1.txt"
}

