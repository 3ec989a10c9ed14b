#!/usr/bin/env bash
# Makes the TLS assets for running kube-oidc-webhook in a cluster, with openssl only:
#
#   ca.crt, ca.key                   CA of the webhook's serving certificate (kube-apiserver trusts ca.crt:
#                                    certificate-authority in deploy/apiserver/webhook-kubeconfig.yaml)
#   tls.crt, tls.key                 the webhook's serving certificate, for the Service's DNS names
#                                    (Secret kube-oidc-webhook-tls)
#   client-ca.crt, client-ca.key     CA of kube-apiserver's client certificate (Secret
#                                    kube-oidc-webhook-client-ca, the webhook's --client-ca-file)
#   apiserver-client.crt, .key       kube-apiserver's client certificate: CN kube-apiserver, clientAuth
#                                    (client-certificate/client-key in the webhook kubeconfig)
#
# Usage: deploy/gencert.sh [OUT_DIR]      (default ./deploy/certs, which git ignores)
# Environment: NAMESPACE and SERVICE (default kube-oidc-webhook for both), DAYS (leaf validity, default
# 365; the CAs get ten years), EXTRA_SANS (more subjectAltNames for the serving certificate, comma-separated
# in openssl's form, e.g. "IP:10.96.0.50,DNS:webhook.example.com").
# It never overwrites: an OUT_DIR that already holds any of these files is an error.
set -euo pipefail

out="${1:-./deploy/certs}"
namespace="${NAMESPACE:-kube-oidc-webhook}"
service="${SERVICE:-kube-oidc-webhook}"
days="${DAYS:-365}"
ca_days=3650
extra_sans="${EXTRA_SANS:-}"

command -v openssl >/dev/null 2>&1 || { echo "gencert.sh: openssl is not installed" >&2; exit 1; }

files=(ca.crt ca.key tls.crt tls.key client-ca.crt client-ca.key apiserver-client.crt apiserver-client.key)
mkdir -p "$out"
for f in "${files[@]}"; do
  if [[ -e "$out/$f" ]]; then
    echo "gencert.sh: $out/$f already exists; remove the old files or give another directory" >&2
    exit 1
  fi
done

# The Service's names as a client may spell them, and loopback for port-forwards and tests.
sans="DNS:${service}, DNS:${service}.${namespace}, DNS:${service}.${namespace}.svc"
sans="${sans}, DNS:${service}.${namespace}.svc.cluster.local, DNS:localhost, IP:127.0.0.1"
if [[ -n "$extra_sans" ]]; then
  sans="${sans}, ${extra_sans//,/, }"
fi

umask 077 # private keys readable by their owner only
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A minimal openssl configuration, so the system's openssl.cnf (or its absence) doesn't matter.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${sans}
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

key() { # ECDSA P-256, PKCS#8 PEM
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

serial() {
  echo "0x$(openssl rand -hex 16)"
}

ca() { # name, common name
  key "$out/$1.key"
  openssl req -x509 -new -config "$work/openssl.cnf" -extensions ca -key "$out/$1.key" -sha256 \
    -days "$ca_days" -set_serial "$(serial)" -subj "/CN=$2" -out "$out/$1.crt"
}

leaf() { # name, common name, extensions section, issuing CA name
  key "$out/$1.key"
  openssl req -new -config "$work/openssl.cnf" -key "$out/$1.key" -subj "/CN=$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$out/$4.crt" -CAkey "$out/$4.key" -set_serial "$(serial)" \
    -days "$days" -sha256 -extfile "$work/openssl.cnf" -extensions "$3" -out "$out/$1.crt" 2>/dev/null
}

ca ca "kube-oidc-webhook CA"
leaf tls "${service}.${namespace}.svc" server ca
ca client-ca "kube-oidc-webhook client CA"
leaf apiserver-client kube-apiserver client client-ca
chmod 644 "$out/ca.crt" "$out/tls.crt" "$out/client-ca.crt" "$out/apiserver-client.crt"

cat <<EOF
Wrote to $out:
  ca.crt                        CA of the serving certificate (for kube-apiserver)
  tls.crt, tls.key              the webhook's serving certificate
  client-ca.crt                 CA of kube-apiserver's client certificate (for the webhook)
  apiserver-client.crt, .key    kube-apiserver's client certificate
  ca.key, client-ca.key         the CAs' keys: keep them offline

Create the namespace and the Secrets the manifests mount:
  kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f -
  kubectl -n ${namespace} create secret tls kube-oidc-webhook-tls --cert=$out/tls.crt --key=$out/tls.key
  kubectl -n ${namespace} create secret generic kube-oidc-webhook-client-ca --from-file=ca.crt=$out/client-ca.crt

Copy to every control-plane node, beside deploy/apiserver/webhook-kubeconfig.yaml:
  $out/ca.crt $out/apiserver-client.crt $out/apiserver-client.key -> /etc/kubernetes/pki/kube-oidc-webhook/
EOF
