#!/bin/sh
# npm-install.sh SRC DEST: installs the locked packages of SRC (package.json + package-lock.json)
# into DEST/node_modules for the end-to-end tests. Does nothing when DEST already holds exactly
# that lock, so a second run takes no time; uses npm's cache first (--prefer-offline).
set -eu
src=$1
dest=$2
if ! command -v npm >/dev/null 2>&1; then
    echo "npm-install: npm not found; the end-to-end tests that need $(basename "$src") will be skipped"
    exit 0
fi
mkdir -p "$dest"
if [ -d "$dest/node_modules" ] && cmp -s "$src/package-lock.json" "$dest/.installed-lock.json"; then
    echo "npm-install: $(basename "$src") packages are up to date in $dest"
    exit 0
fi
rm -f "$dest/.installed-lock.json"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
cd "$dest"
# No install scripts: these packages need none (native extras such as unix-dgram are optional).
npm ci --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error
cp package-lock.json .installed-lock.json
echo "npm-install: installed $(basename "$src") packages into $dest"
