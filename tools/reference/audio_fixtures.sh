#!/bin/sh
# Writes the small decoder fixtures in tests/fixtures/audio/ with independent encoders.
# Tools: sox 14.4.2, flac 1.4.2, lame 3.100 (apt-get install sox flac lame).
# Every file is the same 0.25 s: left 440 Hz, right 660 Hz, each at half full scale.
#   tone.f32.wav    32-bit float stereo 22050 Hz: the reference
#   tone.s16.wav    16-bit PCM            (-D: no dither, so it is the float rounded)
#   tone.s24.wav    24-bit PCM
#   tone.u8.wav     8-bit unsigned PCM
#   tone.f64.wav    64-bit float
#   tone.aiff       16-bit big-endian AIFF made from tone.s16.wav (lossless)
#   tone.flac       FLAC made from tone.s16.wav (lossless: must decode to the same samples)
#   tone24.flac     FLAC made from tone.s24.wav
#   tone.mp3        MP3 (lame -b 128) of tone.s16.wav: lossy, encoder delay included
#   truncated.flac  tone.flac without its last 3000 bytes (cut inside the audio frames)
set -eu
cd "$(dirname "$0")/../../tests/fixtures/audio"
synth() { sox -D -n -r 22050 -c 2 "$@" synth 0.25 sine 440 sine 660 vol 0.5; }
synth -e floating-point -b 32 tone.f32.wav
synth -e floating-point -b 64 tone.f64.wav
synth -e signed-integer -b 16 tone.s16.wav
synth -e signed-integer -b 24 tone.s24.wav
synth -e unsigned-integer -b 8 tone.u8.wav
sox -D tone.s16.wav tone.aiff
flac -s -f --best -o tone.flac tone.s16.wav
flac -s -f --best -o tone24.flac tone.s24.wav
lame --quiet -b 128 tone.s16.wav tone.mp3
head -c -3000 tone.flac > truncated.flac
ls -l
