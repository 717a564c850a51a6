#!/usr/bin/env bash
# Install the Debian packages weerbaar needs when they are missing.
# Runs apt-get only as root (or with sudo without password); otherwise says what is missing.
set -u
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Debian-pakketten installeren: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "Let op: geen rechten om ${missing[*]} te installeren; installeer ze met apt-get." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "Installeren van Debian-pakketten mislukt: ${missing[*]}" >&2; exit 1; }
