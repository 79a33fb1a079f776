"""Basic Pitch parity fixtures for the Java port (dev.pianola.models.basicpitch).

Run with the pinned reference venv (tools/reference/requirements.txt, basic-pitch 0.4.0 on its ONNX
backend):

    /tmp/refvenv/bin/python tools/reference/basic_pitch_fixtures.py [--corpus ../shared/corpus]

Writes tests/fixtures/basic-pitch/:
  golden_model_output.npz    upstream's tests/resources/vocadito_10/model_output.npz as plain float32
                             arrays note [787,88], onset [787,88] and contour_near_notes [787,264]:
                             the contour with every cell that pitch-bend estimation does not read for
                             the golden notes set to 0 (keeps the fixtures under 2 MB; the bends are
                             unchanged). Made upstream from a different resampler than ours.
  golden_note_events.json    upstream's note_events.npz: [start_s, end_s, pitch, amplitude, bends].
  vocadito_10_22050.npz      vocadito_10.wav exactly as basic-pitch loads it:
                             librosa.load(path, sr=22050, mono=True), float32 'audio'.
  predict_model_output.npz   what basic-pitch 0.4.0 predict() (ONNX backend) outputs for that file:
                             note, onset in full and contour_every_8th_frame (rows 0, 8, 16, ...).
  predict_note_events.json   predict()'s note events with default options, same layout as above.
  predict_midi.json          the PrettyMIDI objects note_events_to_midi makes from those events, with
                             multiple_pitch_bends False ("single") and True ("multiple"): per
                             instrument its notes [start_s, end_s, pitch, velocity] and pitch bends
                             [time_s, value], read before any MIDI file quantises the times.
The pickled .npz inputs are only read here, so the Java tests never need a pickle reader.
"""
import argparse
import json
import pathlib

import numpy as np
import librosa
import basic_pitch
from basic_pitch import ICASSP_2022_MODEL_PATH
from basic_pitch.inference import Model, predict
from basic_pitch.note_creation import get_pitch_bends, note_events_to_midi, output_to_notes_polyphonic

EXPECTED = {"basic-pitch": "0.4.0", "librosa": "0.10.2.post1", "numpy": "1.26.4"}


def check_versions():
    import importlib.metadata as md
    for name, want in EXPECTED.items():
        got = md.version(name)
        if got != want:
            raise SystemExit(f"{name} {got} installed, fixtures are pinned to {want}")


def events_json(events):
    """Note events as plain JSON: seconds and amplitude as doubles, bends as ints (or null)."""
    return [[float(s), float(e), int(p), float(a), None if b is None else [int(x) for x in b]]
            for s, e, p, a, b in events]


def midi_json(pm):
    return [{"program": int(ins.program),
             "notes": [[float(n.start), float(n.end), int(n.pitch), int(n.velocity)] for n in ins.notes],
             "bends": [[float(b.time), int(b.pitch)] for b in ins.pitch_bends]} for ins in pm.instruments]


CONTOUR_ROW_STEP = 8


def contour_near_notes(mo):
    """The contour, zero except where get_pitch_bends reads it for the notes of these posteriorgrams."""
    notes = output_to_notes_polyphonic(mo["note"].copy(), mo["onset"].copy(), onset_thresh=0.5,
                                       frame_thresh=0.3, min_note_len=11, infer_onsets=True,
                                       max_freq=None, min_freq=None, melodia_trick=True)
    keep = np.zeros(mo["contour"].shape, bool)
    for s, e, p, a in notes:
        # get_pitch_bends slices rows s:e and a band of 51 bins around the note; mark what it reads
        fi = 3 * (p - 21)
        keep[s:e, max(fi - 25, 0):min(keep.shape[1], fi + 26)] = True
    masked = np.where(keep, mo["contour"], 0).astype(np.float32)
    # the bends must not change
    assert [b for *_, b in get_pitch_bends(masked, notes)] == [b for *_, b in get_pitch_bends(mo["contour"], notes)]
    return masked


def main():
    root = pathlib.Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=pathlib.Path, default=root.parent / "shared" / "corpus")
    args = ap.parse_args()
    check_versions()
    out = root / "tests" / "fixtures" / "basic-pitch"
    out.mkdir(parents=True, exist_ok=True)

    golden = args.corpus / "golden" / "basic-pitch" / "vocadito_10"
    mo = np.load(golden / "model_output.npz", allow_pickle=True)["arr_0"].item()
    np.savez_compressed(out / "golden_model_output.npz", note=mo["note"].astype(np.float32),
                        onset=mo["onset"].astype(np.float32), contour_near_notes=contour_near_notes(mo))
    ne = np.load(golden / "note_events.npz", allow_pickle=True)["arr_0"]
    (out / "golden_note_events.json").write_text(json.dumps(events_json(ne)))

    wav = args.corpus / "audio" / "vocadito_10.wav"
    audio, sr = librosa.load(str(wav), sr=22050, mono=True)
    assert sr == 22050 and audio.dtype == np.float32
    np.savez_compressed(out / "vocadito_10_22050.npz", audio=audio)

    # Without TensorFlow the package's default model is its bundled nmp.onnx (sha256 2c3c1d14...a0ec).
    if ICASSP_2022_MODEL_PATH.name != "nmp.onnx":
        raise SystemExit(f"basic-pitch would not use its ONNX model here: {ICASSP_2022_MODEL_PATH}")
    model = Model(ICASSP_2022_MODEL_PATH)
    model_output, _, note_events = predict(str(wav), model)
    np.savez_compressed(out / "predict_model_output.npz", note=model_output["note"].astype(np.float32),
                        onset=model_output["onset"].astype(np.float32),
                        contour_every_8th_frame=model_output["contour"][::CONTOUR_ROW_STEP].astype(np.float32))
    (out / "predict_note_events.json").write_text(json.dumps(events_json(note_events)))
    midi = {"single": midi_json(note_events_to_midi(note_events, multiple_pitch_bends=False)),
            "multiple": midi_json(note_events_to_midi(note_events, multiple_pitch_bends=True))}
    (out / "predict_midi.json").write_text(json.dumps(midi))

    print("basic-pitch", basic_pitch.__file__, "audio samples", len(audio),
          "predict frames", model_output["note"].shape[0], "golden frames", mo["note"].shape[0],
          "events", len(note_events), "golden events", len(ne))


if __name__ == "__main__":
    main()
