#!/usr/bin/env bash
# Makes the example song: examples/demo.mid (tools/example/make_example.py, mido==1.3.3) and its
# rendering examples/demo.wav (mono, 22050 Hz, 16-bit: about 1 MB) through Pianola's own renderer.
# Python: $PYTHON, else .venv/bin/python, else python3 (it needs mido==1.3.3: pip install -r tools/example/requirements.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x .venv/bin/python ]]; then python=.venv/bin/python; else python=python3; fi
fi
"$python" tools/example/make_example.py examples/demo.mid
./pianola render examples/demo.mid -o examples/demo.wav --sample-rate 22050 --mono --force
