#!/usr/bin/env bash
# Makes the example song: examples/demo.mid (tools/example/make_example.py, mido==1.3.3) and its
# rendering examples/demo.wav (mono, 22050 Hz, 16-bit: about 1 MB) through Pianola's own renderer.
# Python: $PYTHON, else the pinned reference venv (tools/reference/venv makes it; it has mido==1.3.3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
python="${PYTHON:-$(tools/reference/venv)/bin/python}"
"$python" tools/example/make_example.py examples/demo.mid
./pianola render examples/demo.mid -o examples/demo.wav --sample-rate 22050 --mono --force
