#!/usr/bin/env bash
# `pianola plugins install` into a temporary HOME, then each format found where its hosts look:
# LV2 by lilv's default path (lv2ls, no LV2_PATH), CLAP by a search of ~/.clap for *.clap (what CLAP
# hosts do) loaded by our CLAP host, VST3 from ~/.vst3 by minihost; each starts its Java from the
# java-home the install wrote; the VST3 presets where VST3 hosts list them, one loaded. Then `plugins list`, a foreign folder left alone without --force,
# and `plugins uninstall`.
#   tests/native/install_test.sh ROOT JAR CLAP_HOST PYTHON   (ROOT: the source tree; JAR: a pianola.jar with the CLI)
set -uo pipefail
ROOT="$(readlink -f "$1")"; JAR="$(readlink -f "$2")"; CLAP_HOST="$(readlink -f "$3")"; PY="$4"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
passed=0; failed=0
check() { if eval "$1"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL install_test: $2" >&2; fi; }
cli() { HOME="$T" java -Djava.awt.headless=true -Dpianola.root="$ROOT" -cp "$JAR" dev.pianola.cli.Main "$@"; }

cli plugins install >"$T/install.out" 2>&1; rc=$?
check '[ $rc = 0 ]' "plugins install exits 0 ($rc): $(tail -2 "$T/install.out")"
for d in .lv2/pianola.lv2 .clap/Pianola .vst3/Pianola.vst3/Contents/Resources; do
  check '[ -f "$T/$d/pianola-install.properties" ] && [ -s "$T/$d/java-home" ]' "$d has its install marker and java-home"
done
ort="$(find "$T/.vst3/Pianola.vst3/Contents/Resources/lib" -name 'onnxruntime-*.jar' -type f | head -1)"  # any version
check '[ ! -L "$T/.lv2/pianola.lv2/pianola.jar" ] && [ -n "$ort" ] && [ ! -L "$ort" ]' "the bundles are real files, not links to the build"

HOME="$T" env -u LV2_PATH lv2ls >"$T/lv2ls.out" 2>&1
check 'grep -qx "https://pianola.dev/plugins/pianola" "$T/lv2ls.out"' "LV2: lilv finds the plug-in in ~/.lv2 ($(tr '\n' ' ' < "$T/lv2ls.out"))"

clap="$(find "$T/.clap" -name '*.clap' -type f | head -1)"
check '[ -n "$clap" ]' "CLAP: a *.clap file under ~/.clap"
HOME="$T" "$CLAP_HOST" "$clap" installed >"$T/clap.out" 2>&1
check 'grep -q "0 failed" "$T/clap.out"' "CLAP: the installed plug-in starts its Java: $(grep -h 'FAIL\|passed' "$T/clap.out" | head -2)"

HOME="$T" PIANOLA_VIRTUAL_PORT=off "$PY" - "$T/.vst3/Pianola.vst3" "$T/.vst3/presets/Pianola/Pianola/Pianola Factory" >"$T/vst3.out" 2>&1 <<'PY'
import sys, time
import minihost, numpy as np
p = minihost.Plugin(sys.argv[1], sample_rate=48000, max_block_size=256, in_channels=2, out_channels=2)
names = [p.get_param_info(i)["name"] for i in range(p.num_params)]
status = names.index("Status")
# a factory preset from where VST3 hosts list them
minihost.load_vstpreset(sys.argv[2] + "/Quick answers.vstpreset", p)
print("preset", p.param_to_text(names.index("Answer Length"), p.get_param(names.index("Answer Length"))) + ",",
      p.param_to_text(names.index("Start Answer On"), p.get_param(names.index("Start Answer On"))))
buf = np.zeros((2, 256), dtype=np.float32)
t0 = time.time()
while time.time() - t0 < 30 and p.param_to_text(status, p.get_param(status)) == "Starting":
    p.process_midi(buf, buf.copy(), [], 16)
    time.sleep(0.002)
print("status", p.param_to_text(status, p.get_param(status)))
p.close()
PY
check 'grep -q "status OK" "$T/vst3.out"' "VST3: the installed plug-in loads from ~/.vst3 and starts its Java: $(tail -1 "$T/vst3.out")"
check '[ "$(ls "$T/.vst3/presets/Pianola/Pianola/Pianola Factory" | wc -l)" = 7 ] && grep -q "preset 1 bar, Next beat" "$T/vst3.out"' \
  "VST3: the 7 presets in ~/.vst3/presets/Pianola/Pianola/Pianola Factory, Quick answers loads (1 bar, next beat): $(grep preset "$T/vst3.out")"

cli plugins list >"$T/list.out" 2>&1
check '[ "$(grep -c "user .*version" "$T/list.out")" = 3 ]' "plugins list shows the three user installs: $(tr '\n' '|' < "$T/list.out")"

# a folder of the same name that is not Pianola's is left alone without --force
T2="$(mktemp -d)"; mkdir -p "$T2/.vst3/Pianola.vst3/Contents"; echo mine > "$T2/.vst3/Pianola.vst3/Contents/keep"
HOME="$T2" java -Dpianola.root="$ROOT" -cp "$JAR" dev.pianola.cli.Main plugins install --format vst3 >"$T/foreign.out" 2>&1; rc=$?
check '[ $rc = 2 ] && [ -f "$T2/.vst3/Pianola.vst3/Contents/keep" ]' "a foreign Pianola.vst3 is refused (exit $rc) and kept: $(head -1 "$T/foreign.out")"
HOME="$T2" java -Dpianola.root="$ROOT" -cp "$JAR" dev.pianola.cli.Main plugins uninstall --format vst3 >/dev/null 2>&1
check '[ -f "$T2/.vst3/Pianola.vst3/Contents/keep" ]' "uninstall leaves a foreign folder alone"
rm -rf "$T2"

cli plugins uninstall >"$T/uninstall.out" 2>&1; rc=$?
check '[ $rc = 0 ] && [ ! -e "$T/.lv2/pianola.lv2" ] && [ ! -e "$T/.clap/Pianola" ] && [ ! -e "$T/.vst3/Pianola.vst3" ] && [ ! -e "$T/.vst3/presets/Pianola/Pianola/Pianola Factory" ]' "plugins uninstall removes the three and the VST3 presets ($rc)"
echo "install_test: $passed passed, $failed failed"
[ $failed = 0 ]
