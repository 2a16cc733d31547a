#!/usr/bin/env bash
# Installs Debian's ansible-core (12: 2.14) on this machine for bench/fleet.bench.ts, which
# compares `sshield audit` of 20 hosts with `ansible all -m command -a 'sshd -T'` on the same
# hosts. .ci/run installs the same package for the Ansible collection's tests
# (test/integration/fleet/ansible.test.ts); this script is for a bench machine without CI's setup. Idempotent. Exit: 0 installed (or already there), 2 it could not be.
set -uo pipefail
fail() { echo "peer-ansible: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || fail "needs root (apt-get)"
if command -v ansible >/dev/null 2>&1 && ansible --version >/dev/null 2>&1; then
  echo "ansible already installed: $(ansible --version 2>/dev/null | sed -n 1p)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || fail "apt-get update failed"
apt-get install -y -q --no-install-recommends ansible-core >/dev/null || fail "apt-get install ansible-core failed"
echo "installed: $(ansible --version 2>/dev/null | sed -n 1p)"
