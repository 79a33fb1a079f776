/*
 * transport.h: the host's transport, as each format tells it (LV2 time:Position objects, CLAP
 * transport events, VST3 ProcessContext: the front-end fills a PnPosition), kept as an exact anchor plus
 * an integer frame counter, so that beat k at 120 BPM / 48 kHz is frame k * 24000 exactly however
 * long the song runs (no float accumulation).
 *
 * Model: the song beat at `elapsed` frames after the anchor is
 *     anchor_beat + elapsed / frames_per_beat,   frames_per_beat = 60 * rate / (bpm * speed)
 * and only `elapsed` (an integer) advances from block to block.
 *
 * Re-anchoring (reference note, section 1.3): a Position that agrees with the prediction (same
 * tempo, meter and speed, time:frame equal to the predicted host frame, and a beat within
 * PN_BEAT_TOLERANCE of the predicted beat) keeps the anchor. Ardour sends a Position every cycle
 * with barBeat quantized to 1/1920 beat; re-anchoring on each of them would jitter notes by up to
 * ~12 frames. Anything else re-anchors:
 *   - continuous in time (tempo, meter or speed change; frame as predicted and beat within the
 *     tolerance): the new anchor keeps the PREDICTED beat, so a tempo change does not bring the
 *     host's quantization back in;
 *   - a discontinuity (a frame that is not the predicted one: locate, loop jump, xrun; or a host
 *     beat further than the tolerance from the prediction, e.g. a meter change renumbering
 *     bar * beatsPerBar + barBeat): the new anchor takes the HOST's beat, and the update reports
 *     PN_TRANSPORT_JUMPED.
 * The host's beat is time:beat when sent, else bar * beatsPerBar + barBeat (time.ttl: bar is
 * 0-based). Without either (jalv without a JACK timebase master) there is no beat grid.
 *
 * Real time: every function here is arithmetic on the struct; no allocation, locks or calls out.
 */
#ifndef PIANOLA_TRANSPORT_H
#define PIANOLA_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Two Ardour ticks (1/1920 beat each): covers the host's truncation plus float rounding. */
#define PN_BEAT_TOLERANCE (2.0 / 1920.0)

/* What a position may say; anything else is dropped field by field (pn_transport_apply). */
#define PN_MIN_BPM 1.0
#define PN_MAX_BPM 1000.0
#define PN_MAX_SPEED 64.0
#define PN_MAX_BEATS_PER_BAR 64.0
#define PN_MAX_ABS_BEAT 1.0e9

/* What pn_transport_apply saw (bit flags). */
enum {
  PN_TRANSPORT_REANCHORED = 1u << 0, /* the anchor moved (tempo/meter/speed change or a jump) */
  PN_TRANSPORT_JUMPED = 1u << 1,     /* the song position is not continuous with the last block */
  PN_TRANSPORT_STARTED = 1u << 2,    /* speed went from <= 0 to > 0 */
  PN_TRANSPORT_STOPPED = 1u << 3,    /* speed went from > 0 to <= 0 */
};

/* One position report from the host, each field optional (LV2 time:Position keys; a front-end for
   another format fills the fields its host gives, in beats of the beat unit). */
typedef struct PnPosition {
  bool has_frame, has_speed, has_bpm, has_beats_per_bar, has_beat_unit, has_bar, has_bar_beat, has_beat;
  int64_t frame;
  int64_t bar;
  int32_t beat_unit;
  double speed, bpm, beats_per_bar, bar_beat, beat;
} PnPosition;

typedef struct PnTransport {
  double rate;            /* audio frames per second */
  bool known;             /* a Position has been applied */
  bool has_beat;          /* anchor_beat is meaningful (the host gave a beat) */
  bool has_frame;         /* anchor_frame is meaningful (the host gave time:frame) */
  double speed;           /* host speed (1 = rolling, 0 = stopped) */
  double bpm;             /* 0 = unknown */
  double beats_per_bar;   /* 0 = unknown */
  int32_t beat_unit;      /* 0 = unknown */
  double anchor_beat;     /* song beat at the anchor */
  int64_t anchor_frame;   /* host time:frame at the anchor */
  int64_t elapsed;        /* audio frames run since the anchor: the only thing that advances */
  double frames_per_beat; /* 60 * rate / (bpm * speed); 0 when not rolling or tempo unknown */
  uint32_t reanchors;     /* how often the anchor moved (tests read it) */
  uint32_t jumps;         /* how many of those were discontinuities */
} PnTransport;

void pn_transport_init(PnTransport* t, double rate);

/* Applies a Position at the current point (after pn_transport_advance up to its frame). Absurd or
   non-finite fields are ignored (the limits above). */
unsigned pn_transport_apply(PnTransport* t, const PnPosition* p);

/* Moves the current point on by `frames` audio frames. */
static inline void pn_transport_advance(PnTransport* t, uint32_t frames) { t->elapsed += frames; }

/* True when the song beat advances with time: beat grid known, tempo known, speed > 0. */
static inline bool pn_transport_rolling(const PnTransport* t) { return t->has_beat && t->frames_per_beat > 0.0; }

/* Song beat `offset` frames after the current point (the anchor beat when not rolling). */
double pn_transport_beat(const PnTransport* t, int64_t offset);

/* Frames from the current point to the first frame whose beat reaches `beat` (negative when that
   frame is behind). Beat k's frame is ceil((k - anchor_beat) * frames_per_beat) after the anchor,
   with 1e-4 frame of slack for rounding. False when not rolling. */
bool pn_transport_frames_until(const PnTransport* t, double beat, int64_t* offset);

#ifdef __cplusplus
}
#endif

#endif
