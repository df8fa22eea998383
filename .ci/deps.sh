#!/bin/sh
# Install the Debian packages named on the command line that are missing.
# As root: apt-get installs them.  Otherwise: print the one apt-get line and fail.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
else
  echo "orrery needs these Debian packages; run as root:"
  echo "  apt-get install -y$missing"
  exit 1
fi
