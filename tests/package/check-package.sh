#!/usr/bin/env bash
# check-package.sh BUILD_DIR VERSION LRELEASE: packs the .deb of BUILD_DIR with CPack into a
# temporary folder and checks it as a user and Debian's tools would, without installing it: the
# files it holds (and nothing else), its control fields, the extracted program (--version,
# --help, German from the installed translation), the desktop entry, the AppStream metainfo,
# the man page, and lintian. Each failed check prints one line naming it.
set -euo pipefail
build=$1
version=$2
lrelease=$3
app_id=io.github.perfwatch.PerfWatch
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$build" && cpack -G DEB -B "$tmp/deb" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(find "$tmp/deb" -maxdepth 1 -name 'perfwatch_*.deb' -print -quit)
[[ -n $deb ]] || { echo "FAIL: cpack wrote no perfwatch_*.deb"; exit 1; }
pass "packed $(basename "$deb")"

# Exactly these files, nothing of the tests, benchmarks or clients.
expected=(
    ./usr/bin/perfwatch
    "./usr/share/applications/$app_id.desktop"
    "./usr/share/metainfo/$app_id.metainfo.xml"
    "./usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    ./usr/share/man/man1/perfwatch.1.gz
    ./usr/share/perfwatch/translations/perfwatch_de.qm
    ./usr/share/perfwatch/translations/perfwatch_en.qm
    ./usr/share/doc/perfwatch/copyright
    ./usr/share/doc/perfwatch/changelog.Debian.gz
    ./usr/share/doc/perfwatch/fonts/fonts-liberation2.copyright
    ./usr/share/doc/perfwatch/fonts/fonts-dejavu-core.copyright
    ./usr/share/lintian/overrides/perfwatch
)
actual=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort)
wanted=$(printf '%s\n' "${expected[@]}" | sort)
if [[ $actual == "$wanted" ]]; then
    pass "files: ${#expected[@]}, as expected"
else
    fail "files differ from the expected list: $(diff <(echo "$wanted") <(echo "$actual") | grep '^[<>]' | tr '\n' ' ')"
fi
dpkg-deb -c "$deb" | awk '$2 != "root/root" { bad = 1 } END { exit bad }' || fail "a file not owned by root/root"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == perfwatch ]] || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version-1" ]] || fail "Version is '$(field Version)', not $version-1"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
for dep in fonts-dejavu-core libc6 libqt6core6 libqt6widgets6 libqt6httpserver6 libsqlite3-0 libsimdjson; do
    grep -q "\b$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
[[ -n $(field Description | sed -n 2p) ]] || fail "no extended Description"
pass "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

root="$tmp/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/perfwatch"
file -b "$bin" | grep -q ', stripped' || fail "the binary is not stripped: $(file -b "$bin")"
export QT_QPA_PLATFORM=offscreen
[[ $("$bin" --version) == "perfwatch $version" ]] || fail "--version prints '$("$bin" --version)'"
help=$("$bin" --help)
grep -q -- '--export-report' <<<"$help" || fail "--help does not list --export-report"
pass "the extracted program answers --version and --help"

# German comes from the installed translation, preferred to the compiled-in one: replace the
# installed file by one whose translation differs, and see that one.
message='no history in %1: nothing to report'
grep -q "kein Verlauf in" <(LC_ALL=C "$bin" --lang de --export-report "$tmp/r.pdf" --data-dir "$tmp/empty" 2>&1) ||
    fail "--lang de does not print German"
cat >"$tmp/marker.ts" <<TS
<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context><name>perfwatch::ReportExporter</name>
<message><source>$message</source><translation>AUS DER INSTALLIERTEN DATEI %1</translation></message>
</context>
</TS>
TS
context=$(grep -B30 -F "<source>$message</source>" "$(dirname "$0")/../../translations/perfwatch_de.ts" |
    grep -o '<name>[^<]*</name>' | tail -1 | sed 's/<[^>]*>//g')
sed -i "s|<name>perfwatch::ReportExporter</name>|<name>$context</name>|" "$tmp/marker.ts"
"$lrelease" -silent "$tmp/marker.ts" -qm "$root/usr/share/perfwatch/translations/perfwatch_de.qm"
grep -q "AUS DER INSTALLIERTEN DATEI" <("$bin" --lang de --export-report "$tmp/r.pdf" --data-dir "$tmp/empty" 2>&1) &&
    pass "German is read from /usr/share/perfwatch/translations" ||
    fail "the installed perfwatch_de.qm is not the one loaded"

desktop="$root/usr/share/applications/$app_id.desktop"
out=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $out"
icon=$(sed -n 's/^Icon=//p' "$desktop")
[[ -f "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ]] || fail "Icon=$icon has no icon file"
exec_cmd=$(sed -n 's/^Exec=//p' "$desktop")
[[ -x "$root/usr/bin/${exec_cmd%% *}" ]] || fail "Exec=$exec_cmd is not in usr/bin"
pass "desktop entry valid, icon and program present"

metainfo="$root/usr/share/metainfo/$app_id.metainfo.xml"
out=$(appstreamcli validate --no-net "$metainfo" 2>&1) || fail "appstreamcli validate: $out"
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" || fail "metainfo launchable"
grep -q "<release version=\"$version\"" "$metainfo" || fail "metainfo has no release $version"
grep -q '<screenshot type="default">' "$metainfo" || fail "metainfo has no screenshot"
pass "metainfo valid, with launchable, release $version and a screenshot"

man="$root/usr/share/man/man1/perfwatch.1.gz"
gzip -t "$man" || fail "man page is not gzip"
page=$(zcat "$man")
grep -q '^\.SH OPTIONS' <<<"$page" || fail "man page has no OPTIONS"
grep -q 'export\\-report' <<<"$page" || fail "man page lacks --export-report (not from the real --help?)"
grep -q -F "$build" <<<"$page" && fail "man page names the build folder"
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null || true)
[[ -z $warnings ]] || fail "man --warnings: $warnings"
pass "man page from --help, no groff warnings"

lint=$(lintian --allow-root --tag-display-limit 0 "$deb" 2>&1 || true)
if grep -q '^E: ' <<<"$lint"; then
    fail "lintian errors: $(grep '^E: ' <<<"$lint" | tr '\n' ' ')"
else
    pass "lintian: no errors${lint:+ ($(grep -c '^[WIN]: ' <<<"$lint") warnings or notes)}"
fi
[[ -n $lint ]] && printf '%s\n' "$lint"

if ((failures)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all package checks passed"
