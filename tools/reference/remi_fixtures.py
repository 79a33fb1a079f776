"""Reference fixtures for the REMI+BPE tokenizer (dev.pianola.models.remi).

Which MidiTok: 2.0.6, the version Natooz/Maestro-REMI-bpe20k was trained with (paper repo
Natooz/BPE-Symbolic-Music requirements.txt pins miditok==2.0.6; training started 2023-06-08).
The Hub's tokenizer file was written later in the 2.1 layout, but layout is only how the file is
stored: the ids the model saw during training came from 2.0.6's REMI encode and its generations
were decoded with 2.0.6's REMI decode, so those are the semantics the Java must equal
(spec ../shared/reference/symbolic.md sections 2.4 and 2.5). 2.0.6 installs on Python 3.11 with
the pins in requirements-remi.txt:
  - tokenizers 0.13.3: the line the paper's transformers==4.29.2 allowed (<0.14), and the last one
    that writes BPE merges as "a b" strings, as the Hub file has them.
  - miditoolkit 0.1.16: the paper's minimum; 1.0 came after training. It imports scipy and uses
    np.int, hence numpy 1.23.5 (also MidiTok 2.0.6's own bound, numpy<1.24) and scipy 1.10.1.

The real tokenizer.json cannot be downloaded here, so this script trains one the way the paper
did (REMI with the paper's parameters, constants.py; each track's base ids become one string of
chr(id + 33); BpeTrainer with the five special tokens; start_from_empty_voc=False; learned from
saved token files), on the corpus piano files, with a small vocabulary so the fixtures stay small.
The paper also augmented its data (pitch +-2 octaves, velocity +-1 bin) before learning BPE; that
only changes which merges are learned, not how they are applied, so it is left out here.

Tracks: every corpus file has one non-drum instrument; the script merges all non-drum instruments
into one track before tokenizing, which for these files is exactly what the paper used
(tokens[0] of midi_to_tokens), and is what the Java does with a NoteSequence.

Layouts written (MidiTok 2.0.6 itself only writes the first):
  tokenizer-v2.0.6.conf  2.0.6's own save_params: flat keys, "_nb_velocities", "_bpe_model".
  tokenizer.conf         the Hub's first upload, MidiTok 2.1 layout: a "config" dict with
                         "nb_velocities": 32 (the Hub's wrong value, fixed 2024-05-28), "_bpe_model"
                         with merges as "a b" strings.
  tokenizer.json         the Hub file today, MidiTok >= 3.0.3 layout: "config" with
                         "num_velocities": 16, "_model" instead of "_bpe_model", and merges
                         written as [a, b] pairs the way tokenizers >= 0.20 writes them.
The second and third are made from the first by exactly those key changes (spec section 2.3).

Recorded per corpus file (remi_parity.json): the file's ticks per quarter, miditok's base ids
(no BPE), its BPE ids, and the notes miditok decodes from those BPE ids at time division 384
(pitch, start tick, end tick, velocity, in miditok's order). BPE ids are stored whole (they are the
decoder's input). Base ids and notes would make the file over a megabyte, so each is stored as its
count, the SHA-256 of its canonical text (ids: decimal ids joined by ","; notes: each note's four
fields joined by ",", notes joined by ";") and its first PREFIX items verbatim: the comparison
stays exact over the whole file, and a failure can still be located. Also recorded:
miditok's decode of a few seeded random id sequences, which exercise the decoder's grammar
(Pitch not followed by Velocity and Duration, Position before any Bar, specials mid-stream), and
the ids 🤗tokenizers gives for seeded base-id strings (uniform random over all 162 base ids, and
corpus windows with some ids replaced, and runs of Bar after adding a Bar + Bar merge to the
trained model, where the leftmost-first order of equal-rank merges decides the result), which
exercise BPE itself: characters the trained
vocabulary never saw (dropped, as there is no unk token) and special tokens inside a string (split
out as added tokens before BPE runs).

The output is byte-for-byte the same on every run (checked).

Run: python tools/reference/remi_fixtures.py [--corpus DIR] [--out tests/fixtures/remi]
"""
import argparse
import copy
import hashlib
import json
import random
import tempfile
from pathlib import Path

from importlib.metadata import version

import miditok  # noqa: F401  (the package pinned in requirements-remi.txt)
import miditoolkit
import numpy
import tokenizers
from miditok import REMI
from miditok.classes import TokSequence
from miditok.constants import ADDITIONAL_TOKENS

ROOT = Path(__file__).resolve().parents[2]

# The paper's REMI parameters (BPE-Symbolic-Music constants.py; spec section 2.2)
PITCH_RANGE = range(21, 109)
BEAT_RES = {(0, 1): 8, (1, 2): 4, (2, 4): 2, (4, 8): 1}
NB_VELOCITIES = 16
SPECIAL_TOKENS = ["PAD", "MASK", "BOS", "EOS", "SEP"]
PAPER_ADDITIONAL = {"Chord": False, "Rest": False, "Tempo": False, "Program": False, "TimeSignature": False,
                    "rest_range": (2, 8), "nb_tempos": 32, "tempo_range": (40, 250),
                    "time_signature_range": (8, 2)}
DECODE_TIME_DIVISION = 384  # TIME_DIVISION in the paper and miditok's tokens_to_track default

BPE_VOCAB_SIZE = 1000  # the paper used 20000; small here so the committed files stay small
PREFIX = 256  # items of base ids / notes stored verbatim next to the hash of the whole list
RANDOM_SEQUENCES = 4
RANDOM_SEQUENCE_LENGTH = 300
RANDOM_SEED = 20230608
SELF_MERGE_CASES = 8


def new_tokenizer() -> REMI:
    additional = copy.deepcopy(ADDITIONAL_TOKENS)
    additional.update(PAPER_ADDITIONAL)
    return REMI(pitch_range=PITCH_RANGE, beat_res=BEAT_RES, nb_velocities=NB_VELOCITIES,
                additional_tokens=additional, special_tokens=SPECIAL_TOKENS)


def load_piano(path: Path) -> miditoolkit.MidiFile:
    """The file with all non-drum notes merged into one piano track (see the module docstring)."""
    midi = miditoolkit.MidiFile(str(path))
    notes = [copy.copy(n) for inst in midi.instruments if not inst.is_drum for n in inst.notes]
    piano = miditoolkit.Instrument(program=0, is_drum=False, name="piano")
    piano.notes = notes
    midi.instruments = [piano] if notes else []
    return midi


def encode(tokenizer: REMI, path: Path, bpe: bool) -> list:
    tokens = tokenizer.midi_to_tokens(load_piano(path), apply_bpe_if_possible=bpe)
    return list(tokens[0].ids) if tokens else []


def decode(tokenizer: REMI, bpe_ids: list) -> list:
    # ids_bpe_encoded set explicitly: 2.0.6 would otherwise guess it from "some id >= 162"
    seq = TokSequence(ids=list(bpe_ids), ids_bpe_encoded=True)
    track, _ = tokenizer.tokens_to_track(seq, time_division=DECODE_TIME_DIVISION)
    return [[n.pitch, n.start, n.end, n.velocity] for n in track.notes]


def digest(items: list) -> dict:
    """Count, SHA-256 of the canonical text, and the first PREFIX items (see the module docstring)."""
    text = ";".join(",".join(map(str, i)) for i in items) if items and isinstance(items[0], list) \
        else ",".join(map(str, items))
    return {"count": len(items), "sha256": hashlib.sha256(text.encode("ascii")).hexdigest(),
            "prefix": items[:PREFIX]}


def write_layouts(tokenizer: REMI, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "tokenizer.conf"
        tokenizer.save_params(own)
        v206 = json.loads(own.read_text())
    (out / "tokenizer-v2.0.6.conf").write_text(json.dumps(v206, indent=4))

    config = {"pitch_range": v206["pitch_range"], "beat_res": v206["beat_res"],
              "nb_velocities": 32,  # the Hub file's value before its 2024-05-28 fix; the vocabulary has 16
              "special_tokens": v206["special_tokens"], "use_chords": False, "use_rests": False,
              "use_tempos": False, "use_time_signatures": False, "use_sustain_pedals": False,
              "use_pitch_bends": False, "use_programs": False, "nb_tempos": 32, "tempo_range": [40, 250],
              "log_tempos": False, "time_signature_range": {"8": [3, 12, 6], "4": [5, 6, 3, 2, 1, 4]},
              "programs": list(range(-1, 128)), "one_token_stream_for_programs": False,
              "program_changes": False}
    v21 = {"config": config, "one_token_stream": False, "has_bpe": True, "tokenization": "REMI",
           "miditok_version": "2.1.7", "hf_tokenizers_version": tokenizers.__version__,
           "_vocab_base": v206["_vocab_base"], "_bpe_model": v206["_bpe_model"],
           "_vocab_base_byte_to_token": v206["_vocab_base_byte_to_token"]}
    (out / "tokenizer.conf").write_text(json.dumps(v21, indent=4))

    model = json.loads(v206["_bpe_model"])
    model["model"]["merges"] = [m.split(" ") for m in model["model"]["merges"]]
    config3 = dict(config)
    del config3["nb_velocities"]
    config3["num_velocities"] = 16
    v3 = {"config": config3, "one_token_stream": False, "has_bpe": True, "tokenization": "REMI",
          "miditok_version": "3.0.3", "hf_tokenizers_version": "0.20.0",
          "_vocab_base": v206["_vocab_base"], "_model": json.dumps(model, ensure_ascii=False),
          "_vocab_base_byte_to_token": v206["_vocab_base_byte_to_token"]}
    (out / "tokenizer.json").write_text(json.dumps(v3, indent=4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/midi/piano")
    parser.add_argument("--out", type=Path, default=ROOT / "tests/fixtures/remi")
    args = parser.parse_args()
    assert version("miditok") == "2.0.6", f"miditok {version('miditok')}: pin 2.0.6 (requirements-remi.txt)"
    files = sorted(args.corpus.glob("*.mid"))
    assert files, f"no MIDI files in {args.corpus}"
    args.out.mkdir(parents=True, exist_ok=True)

    tokenizer = new_tokenizer()
    # Learn BPE from saved token files, as the paper's scripts/tokenize_datasets.py does
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for f in files:
            tokens = tokenizer.midi_to_tokens(load_piano(f), apply_bpe_if_possible=False)
            p = Path(tmp) / (f.stem + ".json")
            tokenizer.save_tokens(tokens, p)
            paths.append(p)
        tokenizer.learn_bpe(vocab_size=BPE_VOCAB_SIZE, tokens_paths=paths, start_from_empty_voc=False)
    write_layouts(tokenizer, args.out)

    # Everything below runs on the tokenizer loaded back from 2.0.6's own file (2.0.6 cannot read
    # the 2.1 / 3.x layouts; all three hold the same vocabulary and merges).
    reloaded = REMI(params=args.out / "tokenizer-v2.0.6.conf")
    records = []
    for f in files:
        base_ids = encode(reloaded, f, bpe=False)
        bpe_ids = encode(reloaded, f, bpe=True)
        assert encode(tokenizer, f, bpe=True) == bpe_ids, "reloaded tokenizer differs from the trained one"
        records.append({"file": f.name, "ticks_per_quarter": miditoolkit.MidiFile(str(f)).ticks_per_beat,
                        "base_ids": digest(base_ids), "bpe_ids": bpe_ids,
                        "notes": digest(decode(reloaded, bpe_ids))})

    rng = random.Random(RANDOM_SEED)
    bpe_vocab_size = reloaded._bpe_model.get_vocab_size()
    randoms = []
    for _ in range(RANDOM_SEQUENCES):
        ids = [rng.randrange(bpe_vocab_size) for _ in range(RANDOM_SEQUENCE_LENGTH)]
        randoms.append({"bpe_ids": ids, "notes": decode(reloaded, ids)})

    bpe_cases = []
    window_source = encode(reloaded, files[0], bpe=False)
    for k in range(2 * RANDOM_SEQUENCES):
        if k < RANDOM_SEQUENCES:
            base = [rng.randrange(len(reloaded._vocab_base)) for _ in range(RANDOM_SEQUENCE_LENGTH)]
        else:
            start = rng.randrange(len(window_source) - RANDOM_SEQUENCE_LENGTH)
            base = window_source[start:start + RANDOM_SEQUENCE_LENGTH]
            for _ in range(RANDOM_SEQUENCE_LENGTH // 20):
                base[rng.randrange(len(base))] = rng.randrange(len(reloaded._vocab_base))
        text = "".join(reloaded._vocab_base_id_to_byte[i] for i in base)
        # the call miditok's apply_bpe makes
        bpe_cases.append({"base_ids": base, "bpe_ids": reloaded._bpe_model.encode([text], is_pretokenized=True).ids})

    # The trained vocabulary has no merge of a token with itself, the only case where the order of
    # equal-rank merges matters ("aaa" -> "aa a", leftmost first). Add one, Bar + Bar (runs of empty
    # bars), at the end of the merges, and record what tokenizers does with runs of it.
    bar = reloaded._vocab_base_id_to_byte[reloaded._vocab_base["Bar_None"]]
    doc = json.loads(reloaded._bpe_model.to_str())
    doc["model"]["vocab"][bar + bar] = len(doc["model"]["vocab"])
    doc["model"]["merges"].append(f"{bar} {bar}")
    with_self_merge = tokenizers.Tokenizer.from_str(json.dumps(doc))
    self_merge_cases = []
    for k in range(SELF_MERGE_CASES):
        base = window_source[:k * 7] + [reloaded._vocab_base["Bar_None"]] * (k + 3) + window_source[k * 7:k * 7 + 20]
        text = "".join(reloaded._vocab_base_id_to_byte[i] for i in base)
        self_merge_cases.append({"base_ids": base, "bpe_ids": with_self_merge.encode([text], is_pretokenized=True).ids})

    fixture = {"miditok_version": version("miditok"), "tokenizers_version": tokenizers.__version__,
               "miditoolkit_version": version("miditoolkit"), "numpy_version": numpy.__version__,
               "bpe_vocab_size": bpe_vocab_size, "decode_time_division": DECODE_TIME_DIVISION,
               "note_fields": ["pitch", "start_tick", "end_tick", "velocity"],
               "files": records, "random_sequences": randoms, "bpe_cases": bpe_cases,
               "bar_bar_merge_cases": self_merge_cases}
    (args.out / "remi_parity.json").write_text(json.dumps(fixture, separators=(",", ":")))
    for r in records:
        print(f"{r['file']}: tpq {r['ticks_per_quarter']}, {r['base_ids']['count']} base ids, "
              f"{len(r['bpe_ids'])} BPE ids, {r['notes']['count']} notes")


if __name__ == "__main__":
    main()
