"""Side-by-side benchmark: Pianola's Java Basic Pitch vs Python basic-pitch 0.4.0 (ONNX backend).

Makes a 3-minute 44.1 kHz stereo WAV by rendering corpus piano MIDI with `./pianola render`, then
transcribes it with `./pianola transcribe` and with basic-pitch's `predict()`, each in its own
process, and prints compute seconds, real-time factor, wall seconds (with start-up) and peak RSS.
A benchmark, not a test: it prints figures and never fails on them.

usage (from the repository root, after scripts/setup):
    tools/bench/run transcribe        # makes the Python venv, then runs this
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECONDS = 180.0

PY_PREDICT = r"""
import json, sys, time
t0 = time.perf_counter()
from basic_pitch import ICASSP_2022_MODEL_PATH
from basic_pitch.inference import predict
t1 = time.perf_counter()
_, _, events = predict(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"import_seconds": t1 - t0, "compute_seconds": t2 - t1, "notes": len(events), "model": str(ICASSP_2022_MODEL_PATH)}))
"""


def run(cmd):
    """Runs a command; returns (stdout, wall seconds, peak RSS in MiB) of that one child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err}")
    return out, wall, usage.ru_maxrss / 1024.0


def main():
    with tempfile.TemporaryDirectory() as tmp:
        wav = pathlib.Path(tmp) / "input.wav"
        source = ROOT.parent / "shared" / "corpus" / "midi" / "piano" / "Maestro_2.mid"
        subprocess.run([str(ROOT / "pianola"), "render", str(source), "-o", str(wav), "--max-seconds", str(SECONDS), "--quiet"], check=True)
        audio_seconds = SECONDS
        rows = []
        # warm the OS file cache and the JVM's class data once, as a user's second run would be
        run([str(ROOT / "pianola"), "transcribe", str(wav), "-o", str(pathlib.Path(tmp) / "warm.mid"), "--quiet"])
        out, wall, rss = run([str(ROOT / "pianola"), "transcribe", str(wav), "-o", str(pathlib.Path(tmp) / "java.mid"), "--json", "--quiet"])
        j = json.loads(out)  # --json prints only the summary on stdout
        rows.append(("Java (pianola transcribe)", j["computeSeconds"], wall, rss, j["notes"]))
        out, wall, rss = run([sys.executable, "-c", PY_PREDICT, str(wav)])
        p = json.loads(out.strip().splitlines()[-1])  # basic-pitch prints its own lines first
        rows.append(("Python basic-pitch 0.4.0", p["compute_seconds"], wall, rss, p["notes"]))

    print(f"\nBasic Pitch transcription of {audio_seconds:.0f} s of 44.1 kHz stereo piano audio, {os.cpu_count()} cores")
    print(f"{'':28s} {'compute s':>10s} {'RTF':>8s} {'wall s':>8s} {'peak RSS MiB':>13s} {'notes':>6s}")
    for name, comp, wall, rss, notes in rows:
        print(f"{name:28s} {comp:10.2f} {comp / audio_seconds:8.4f} {wall:8.2f} {rss:13.0f} {notes:6d}")
    jc, pc = rows[0][1], rows[1][1]
    print(f"ratio Python/Java compute: {pc / jc:.2f}x   wall: {rows[1][2] / rows[0][2]:.2f}x   peak RSS Java/Python: {rows[0][3] / rows[1][3]:.2f}x")


if __name__ == "__main__":
    main()
