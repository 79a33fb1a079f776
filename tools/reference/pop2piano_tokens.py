"""Pop2Piano token-decoding fixtures: Hugging Face's Pop2PianoTokenizer (transformers 4.57.6).

Writes tests/fixtures/pop2piano/tokens.json.gz, read by Pop2PianoTokensTest.

The tokenizer needs the hub's vocab.json, which cannot be downloaded here. This script builds it
from the documented layout instead (spec pop2piano_musicgen.md 1.9.1, the same mapping the
conversion script derives from the original `detokenize`): ids 0-3 special, 4-131 notes (pitch =
id-4), 132-133 velocity (0 = off, 1 = on), 134-2399 time shifts (shift = id-134). Names are
"<value>_<TYPE>".

For each case the fixture records, per audio (one batch_decode call with no attention masks):
  tokens               the generated ids, one row per segment (leading decoder-start 0, PAD-padded)
  beatsteps            float32 beat steps (batch_decode adds beatsteps[0] to every time)
  extrapolated_beatstep float32; the time indices are absolute indices into it
  index_notes          relative_batch_tokens_ids_to_notes(...): [onset_idx, offset_idx, pitch, velocity]
  row_counts           how many of index_notes each row gave (relative_tokens_ids_to_notes per row;
                       checked here to concatenate to index_notes)
  notes                batch_decode(...)["notes"]: [pitch, velocity, start_s, end_s] in the
                       reference's order; start/end are float32 values written as exact decimals
  batch_decode_error   instead of notes, when batch_decode raises (no EOS in any row)

Beat steps come from tests/fixtures/pop2piano/features.npz (the feature extractor's output on
real audio) and from made-up grids (irregular, with a flat stretch so that remove_invalid_notes
drops notes, and with an offset first beat).

Usage: /tmp/p2pvenv/bin/python tools/reference/pop2piano_tokens.py [repo_root]
"""
import gzip
import io
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
# The module itself, not the top-level name, which is a dummy demanding torch.
from transformers.feature_extraction_utils import BatchFeature
from transformers.models.pop2piano.tokenization_pop2piano import Pop2PianoTokenizer

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

N_SPECIAL, N_NOTE, N_VELOCITY, VOCAB = 4, 128, 2, 2400
NOTE0, VEL0, TIME0 = N_SPECIAL, N_SPECIAL + N_NOTE, N_SPECIAL + N_NOTE + N_VELOCITY
PAD, EOS = 0, 1


def detokenize(i):
    if i >= TIME0:
        return "TOKEN_TIME", i - TIME0
    if i >= VEL0:
        return "TOKEN_VELOCITY", i - VEL0
    if i >= NOTE0:
        return "TOKEN_NOTE", i - NOTE0
    return "TOKEN_SPECIAL", i


vocab = {f"{v}_{t}": i for i in range(VOCAB) for t, v in [detokenize(i)]}
vocab_file = Path(tempfile.mkdtemp()) / "vocab.json"
vocab_file.write_text(json.dumps(vocab))
tok = Pop2PianoTokenizer(vocab=str(vocab_file))
assert tok.vocab_size == VOCAB

rng = np.random.default_rng(20261122)


def musical_row(n_events, ill=False):
    """A row shaped like generated output: time shift, velocity on + notes, velocity off + notes."""
    row = [PAD]
    sounding = []
    for _ in range(n_events):
        r = rng.random()
        if r < 0.05:
            row.append(TIME0 + int(rng.integers(100, 2266)))  # rare: beyond the trained range (ids >= 234)
        else:
            row.append(TIME0 + int(rng.choice([0, 1, 1, 1, 2, 2, 3, 4, 6, 8, 13])))
        ons = list(rng.choice(np.arange(36, 90), size=int(rng.integers(0, 4)), replace=False))
        offs = [p for p in sounding if rng.random() < 0.6]
        if offs or (ill and rng.random() < 0.3):
            row.append(VEL0 + 0)
            if ill and rng.random() < 0.5:
                offs.append(int(rng.integers(0, 128)))  # note-off without an onset (opens a note in HF)
            for p in offs:
                row.append(NOTE0 + int(p))
                if p in sounding:
                    sounding.remove(p)
        if ons:
            row.append(VEL0 + 1)
            for p in ons:
                row.append(NOTE0 + int(p))
                if ill and rng.random() < 0.2:
                    row.append(NOTE0 + int(p))  # the same onset twice without time advancing
                sounding.append(int(p))
    if not (ill and rng.random() < 0.3):
        row.append(EOS)
    if ill and rng.random() < 0.5:
        row += list(rng.integers(0, VOCAB, size=int(rng.integers(1, 8))))  # junk after EOS
    return row


def random_row(n):
    """Ill-formed: ids drawn from the whole vocabulary, mostly the note/velocity/short-time ids."""
    pool = np.r_[np.arange(0, 140), np.arange(0, VOCAB)[rng.random(VOCAB) < 0.02]]
    return [PAD] + [int(x) for x in rng.choice(pool, size=n)]


def pad(rows):
    width = max(map(len, rows))
    return np.array([r + [PAD] * (width - len(r)) for r in rows], dtype=np.int64)


def made_up_beatsteps(n_rows, first_s, flat_at=None):
    """Half-beat steps with jitter (and optionally a flat stretch); extrapolated like the extractor's shape."""
    n = 8 * n_rows + 1
    steps = first_s + np.cumsum(np.r_[0.0, rng.uniform(0.2, 0.35, size=n - 1)])
    beatsteps = steps.astype(np.float32)
    ext = np.r_[0.0, np.cumsum(rng.uniform(0.2, 0.35, size=n + 12))]
    if flat_at is not None:
        ext[flat_at + 1:] -= ext[flat_at + 1] - ext[flat_at]  # ext[flat_at] == ext[flat_at + 1]
    return beatsteps, ext.astype(np.float32)


features = np.load(root / "tests/fixtures/pop2piano/features.npz")


def from_features(prefix, index):
    bs = features[prefix + "beatsteps"][index]
    ext = features[prefix + "extrapolated_beatstep"][index]
    if prefix == "batch_":
        bs = bs[: np.max(np.where(features["batch_attention_mask_beatsteps"][index] == 1)[0]) + 1]
        ext = ext[: np.max(np.where(features["batch_attention_mask_extrapolated_beatstep"][index] == 1)[0]) + 1]
    return bs.astype(np.float32), ext.astype(np.float32)


def rows_for(ext, make):
    n_rows = (len(ext) - 13) // 8 + 1  # every index 8r + 12 must exist in ext
    return [make() for _ in range(n_rows)]


cases = []


def record(name, tokens, beatsteps, ext):
    index_notes = tok.relative_batch_tokens_ids_to_notes(tokens, beat_offset_idx=0, bars_per_batch=2, cutoff_time_idx=12)
    index_notes = np.asarray(index_notes).reshape(-1, 4).astype(np.int64).tolist()
    row_counts, per_row = [], []
    for r, row in enumerate(tokens):
        n = tok.relative_tokens_ids_to_notes(row, start_idx=8 * r, cutoff_time_idx=8 * r + 12)
        row_counts.append(len(n))
        per_row += np.asarray(n).reshape(-1, 4).astype(np.int64).tolist()
    assert per_row == index_notes, name
    case = {
        "name": name,
        "tokens": tokens.tolist(),
        "beatsteps": [float(x) for x in beatsteps],
        "extrapolated_beatstep": [float(x) for x in ext],
        "index_notes": index_notes,
        "row_counts": row_counts,
    }
    fe = BatchFeature({"beatsteps": beatsteps[None, :], "extrapolated_beatstep": ext[None, :]})
    try:
        out = tok.batch_decode(token_ids=tokens, feature_extractor_output=fe, return_midi=True)
        notes = out["notes"]
        for n in notes:
            assert isinstance(n.start, np.float32) and isinstance(n.end, np.float32)
        case["notes"] = [[int(n.pitch), int(n.velocity), float(n.start), float(n.end)] for n in notes]
    except ValueError as e:  # np.max of an empty array: no EOS in any row
        case["batch_decode_error"] = f"{type(e).__name__}: {e}"
    cases.append(case)


for i, (prefix, index) in enumerate([("batch_", 0), ("batch_", 1), ("c_", 0)]):
    bs, ext = from_features(prefix, index)
    record(f"features_{prefix}{index}_musical", pad(rows_for(ext, lambda: musical_row(int(rng.integers(4, 30))))), bs, ext)
    record(f"features_{prefix}{index}_ill", pad(rows_for(ext, lambda: musical_row(int(rng.integers(2, 30)), ill=True))), bs, ext)

for k in range(12):
    n_rows = int(rng.integers(1, 7))
    bs, ext = made_up_beatsteps(n_rows, first_s=float(rng.uniform(0, 3)), flat_at=int(rng.integers(1, 8 * n_rows)) if k % 3 == 0 else None)
    kind = ["musical", "ill", "random"][k % 3]
    if kind == "musical":
        rows = [musical_row(int(rng.integers(1, 40))) for _ in range(n_rows)]
    elif kind == "ill":
        rows = [musical_row(int(rng.integers(1, 40)), ill=True) for _ in range(n_rows)]
    else:
        rows = [random_row(int(rng.integers(2, 60))) for _ in range(n_rows)]
    if kind != "musical" and n_rows > 1:
        rows[0] = [PAD, EOS, NOTE0 + 60, TIME0 + 3]  # EOS first: the row gives nothing
    record(f"made_up_{k}_{kind}_{n_rows}rows", pad(rows), bs, ext)

# No EOS in any row: batch_decode raises, relative_batch_tokens_ids_to_notes still decodes.
bs, ext = made_up_beatsteps(2, first_s=0.5)
record("no_eos", pad([[PAD, VEL0 + 1, NOTE0 + 60, TIME0 + 2, NOTE0 + 64], [PAD, TIME0 + 1, VEL0 + 1, NOTE0 + 67]]), bs, ext)
# Many equal (onset, offset) keys in one row: the reference's tie order is argsort's (not stable).
bs, ext = made_up_beatsteps(1, first_s=0.25)
record("ties", pad([[PAD, TIME0 + 1, VEL0 + 1] + [NOTE0 + p for p in range(40, 80)] + [TIME0 + 2, VEL0 + 0] + [NOTE0 + p for p in range(79, 39, -1)] + [EOS]]), bs, ext)

# A flat stretch (ext[3] == ext[4]): notes from step 3 to 4 have end == start and remove_invalid_notes drops them.
bs, ext = made_up_beatsteps(1, first_s=1.5, flat_at=3)
assert ext[3] == ext[4]
record("flat_step_drops_notes", pad([[PAD, TIME0 + 3, VEL0 + 1, NOTE0 + 60, NOTE0 + 62, TIME0 + 1, VEL0 + 0, NOTE0 + 60,
                                      VEL0 + 1, NOTE0 + 62, TIME0 + 2, VEL0 + 0, NOTE0 + 62, EOS]]), bs, ext)
assert len(cases[-1]["notes"]) == len(cases[-1]["index_notes"]) - 2, cases[-1]

out = root / "tests/fixtures/pop2piano/tokens.json.gz"
# mtime=0: the same inputs give the same bytes, so a re-run shows no spurious diff
with gzip.GzipFile(out, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as f:
    json.dump({"reference": "transformers 4.57.6 Pop2PianoTokenizer, vocab.json built from spec 1.9.1",
               "numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))
print(out, out.stat().st_size, "bytes,", len(cases), "cases,",
      sum(len(c.get("notes", [])) for c in cases), "notes,",
      sum("batch_decode_error" in c for c in cases), "batch_decode errors")
