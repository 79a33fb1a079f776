#!/usr/bin/env python3
"""Writes the seeds of the fuzz targets that are made rather than copied from tests/fixtures.

Usage: tools/fuzz/make_seeds.py RESOURCES  (engine/src/test/resources/dev/pianola/fuzz)
  AudioFuzzTestInputs/{wav,aiff}: a 441 Hz tone, 300 frames, in each encoding the readers know
  MidiFuzzTestInputs/smf: edge cases of time (an onset at tick 2^28, one tick per quarter, SMPTE),
      next to the copies of examples/demo.mid and tests/fixtures/perceiver/midi/*.mid put there by hand;
      then all of smf/*.mid copied to the other MIDI targets' folders
Standard library only (struct, aifc), so the seeds can be made again anywhere.
"""
import math
import struct
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)  # aifc leaves the standard library in 3.13
import aifc  # noqa: E402

FRAMES, RATE = 300, 8000


def tone(channels):
    return [[0.5 * math.sin(2 * math.pi * 441 * i / RATE + c) for c in range(channels)] for i in range(FRAMES)]


def pcm(frames, bits, big=False, unsigned8=True):
    out = bytearray()
    full = 2 ** (bits - 1) - 1
    for frame in frames:
        for v in frame:
            q = int(round(v * full))
            if bits == 8 and unsigned8:
                out += bytes([q + 128])
            else:
                out += q.to_bytes(bits // 8, "big" if big else "little", signed=True)
    return bytes(out)


def riff(fmt, data):
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    if len(data) % 2:
        body += b"\0"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(tag, channels, bits):
    block = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, RATE, RATE * block, block, bits)


def extensible(channels, bits, sub):
    guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    return fmt_chunk(0xFFFE, channels, bits) + struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", sub) + guid_tail


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def smf(division, events, fmt=0):
    track = b"".join(vlq(delta) + data for delta, data in events) + b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, fmt, 1, division) + b"MTrk" + struct.pack(">I", len(track)) + track


def midi_seeds(out):
    out.mkdir(parents=True, exist_ok=True)
    # 47 bytes: a note at tick 0, one at tick 2^28 (a REMI prompt of 2^28 / 1920 bars)
    (out / "far-onset.mid").write_bytes(smf(480, [(0, b"\x90\x3c\x40"), (480, b"\x80\x3c\x40"),
                                                  ((1 << 28) - 480 - 1, b"\xff\x01\x00"), (1, b"\x90\x40\x40")]))
    # one tick per quarter: a note every beat for 300 beats
    events = []
    for i in range(300):
        events += [(0 if i == 0 else 0, bytes([0x90, 60 + i % 12, 0x50])), (1, bytes([0x80, 60 + i % 12, 0x40]))]
    (out / "one-tick-per-quarter.mid").write_bytes(smf(1, events))
    # SMPTE: 25 frames of 40 ticks a second
    (out / "smpte.mid").write_bytes(smf(0xE728, [(0, b"\x90\x3c\x40"), (500, b"\x80\x3c\x40")]))


def main(out):
    midi = out.parent / "MidiFuzzTestInputs"
    midi_seeds(midi / "smf")
    # every MIDI target starts from the smf seeds (its findings stay its own)
    for target in ("remiMidi", "perceiverMidi", "remiPrompt", "continuator"):
        (midi / target).mkdir(exist_ok=True)
        for seed in (midi / "smf").glob("*.mid"):
            (midi / target / seed.name).write_bytes(seed.read_bytes())
    wav, aiff = out / "wav", out / "aiff"
    wav.mkdir(parents=True, exist_ok=True)
    aiff.mkdir(parents=True, exist_ok=True)
    mono, stereo = tone(1), tone(2)
    (wav / "u8.wav").write_bytes(riff(fmt_chunk(1, 1, 8), pcm(mono, 8)))
    (wav / "s16-stereo.wav").write_bytes(riff(fmt_chunk(1, 2, 16), pcm(stereo, 16)))
    (wav / "s24.wav").write_bytes(riff(fmt_chunk(1, 1, 24), pcm(mono, 24)))
    (wav / "s32.wav").write_bytes(riff(fmt_chunk(1, 1, 32), pcm(mono, 32)))
    (wav / "f32.wav").write_bytes(riff(fmt_chunk(3, 1, 32), b"".join(struct.pack("<f", f[0]) for f in mono)))
    (wav / "f64-stereo.wav").write_bytes(riff(fmt_chunk(3, 2, 64), b"".join(struct.pack("<dd", *f) for f in stereo)))
    (wav / "ext-s16.wav").write_bytes(riff(extensible(2, 16, 1), pcm(stereo, 16)))
    for name, channels, bits in (("s16-stereo", 2, 16), ("s8", 1, 8), ("s24", 1, 24)):
        with aifc.open(str(aiff / f"{name}.aiff"), "wb") as a:
            a.setnchannels(channels)
            a.setsampwidth(bits // 8)
            a.setframerate(RATE)
            a.writeframes(pcm(stereo if channels == 2 else mono, bits, big=True, unsigned8=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]) / "AudioFuzzTestInputs")
