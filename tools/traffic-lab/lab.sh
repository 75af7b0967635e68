#!/bin/bash
# Wrapper for traffic_lab.py that cleans up even when Python itself dies hard
# (SIGKILL, OOM): a trap removes the namespaces named TAG-*, kills the
# processes left in them (by PID, via `ip netns pids`) and their /etc/netns
# entries. iptables rules and qdiscs live inside the router namespace and go
# with it. Usage: sudo tools/traffic-lab/lab.sh run|smoke [OPTIONS]
set -u
here=$(dirname "$(readlink -f "$0")")
py=${PYTHON:-python3}
cmd=${1:-}
tag=snl
[ "$cmd" = smoke ] && tag=snls
prev=
for a in "$@"; do
  case "$prev" in --tag) tag=$a ;; esac
  case "$a" in --tag=*) tag=${a#--tag=} ;; esac
  prev=$a
done
cleanup() { "$py" "$here/traffic_lab.py" cleanup --tag "$tag" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$py" "$here/traffic_lab.py" "$@"
