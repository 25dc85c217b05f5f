#!/bin/sh
# Make Debian's Chromium available for the browser tests (tests/browser), without any browser download:
# the packages come from the system's apt sources. Safe to run repeatedly; a no-op when already installed.
#
# Exit status: 0 when /usr/bin/chromium is there afterwards; 1 when it is not (no root, no apt, install failed).
# The tests themselves skip with a reason (or fail when CI=true) when the browser is still absent.
set -u

CHROMIUM=/usr/bin/chromium
# Chinese and Japanese pages (the site ships both) need a CJK font, or screenshots show empty boxes.
FONTS="fonts-dejavu-core fonts-noto-cjk"

fonts_installed() {
    for pkg in $FONTS; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || return 1
    done
}

if [ -x "$CHROMIUM" ] && fonts_installed; then
    exit 0
fi

cannot_install() {
    # Chromium without the CJK font still runs every test; only the screenshots of those languages suffer.
    if [ -x "$CHROMIUM" ]; then
        echo "ensure_chromium: cannot install $FONTS; Chinese and Japanese screenshots will show boxes" >&2
        exit 0
    fi
}

if ! command -v apt-get >/dev/null 2>&1; then
    cannot_install
    echo "ensure_chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    cannot_install
    echo "ensure_chromium: $CHROMIUM is missing; run 'apt-get install chromium chromium-driver' as root" >&2
    exit 1
fi

echo "ensure_chromium: installing chromium, chromium-driver and fonts with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver $FONTS >&2

if [ -x "$CHROMIUM" ]; then
    exit 0
fi
echo "ensure_chromium: $CHROMIUM is still missing after apt-get" >&2
exit 1
