# shellcheck shell=bash
# Sourced: the operator's certificate authority for Graceland's mutual TLS, made with the
# openssl command line as an operator would (docs/security.md).
#
#   pki_init DIR                       DIR/ca.{crt,key}: a fresh CA (EC P-256, 2 days)
#   pki_issue DIR NAME ROLE CN [server]
#                                      DIR/NAME.{crt,key} signed by the CA: subject OU=ROLE,
#                                      CN=CN; "server" adds serverAuth and the loopback names
#                                      (IP 127.0.0.1, localhost) a client verifies
#   graceland_client_flags DIR NAME    --graceland-ca/-cert/-key for NAME's certificate
#
# Keys are created 0600. Roles: proxy (CN: its id, or FIRST-LAST), lumberjack, operator, and
# graceland (CN: its PoP, with "server").

pki_init() {  # DIR
  mkdir -p "$1"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/ca.key" 2>/dev/null)
  openssl req -x509 -new -key "$1/ca.key" -days 2 -subj "/O=lumberjack/CN=lumberjack operator CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1/ca.crt" 2>/dev/null
}

pki_issue() {  # DIR NAME ROLE CN [server]
  local dir=$1 name=$2 usage="clientAuth" san=""
  if [ "${5:-}" = server ]; then
    usage="serverAuth"
    san="subjectAltName=IP:127.0.0.1,DNS:localhost"
  fi
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key" 2>/dev/null)
  openssl req -new -key "$dir/$name.key" -subj "/O=lumberjack/OU=$3/CN=$4" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n%s\n' "$usage" "$san") \
    -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr"
}

graceland_client_flags() {  # DIR NAME
  echo "--graceland-ca $1/ca.crt --graceland-cert $1/$2.crt --graceland-key $1/$2.key"
}

# ZooKeeper's digest credentials, one per role (prod/cmd/common/zk_access.h):
#   zk_auth_init DIR    DIR/{operator,lumberjack,graceland}.zkauth, each with its role's
#                       credential and every role's digest id (0600)
zk_auth_init() {  # DIR
  local dir=$1 role password roles=""
  mkdir -p "$dir"
  for role in operator lumberjack graceland; do
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    echo "$password" >"$dir/$role.password"
    roles+="role $role $role:$(printf '%s' "$role:$password" | openssl dgst -sha1 -binary | base64)"$'\n'
  done
  for role in operator lumberjack graceland; do
    (umask 077 && printf 'credential %s:%s\n%s' "$role" "$(cat "$dir/$role.password")" "$roles" >"$dir/$role.zkauth")
    rm -f "$dir/$role.password"
  done
}
