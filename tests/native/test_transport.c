/* test_transport.c: time:Position parsing (Int/Long/Float/Double for every key) and the anchor
   rules of transport.h: exact frames with no drift, Ardour's quantized barBeat without
   re-anchoring, tempo and meter changes, jumps, stop/start, hosts without a beat grid. */
#include <inttypes.h>
#include <math.h>

#include <lv2/atom/forge.h>
#include <lv2/time/time.h>

#include "check.h"
#include "test_urid.h"
#include "lv2_position.h"
#include "transport.h"

typedef enum { NONE = 0, INT, LONG, FLOAT, DOUBLE } NumType;
typedef struct {
  NumType type;
  double value;
} Key;
typedef struct {
  Key frame, speed, bar, bar_beat, beat, bpb, unit, bpm;
} Spec;

static TestUrids urid_table;
static LV2_URID_Map map = {&urid_table, test_urid_map};
static PnTimeUrids U;
static LV2_Atom_Forge forge;
static uint8_t buf[1024] __attribute__((aligned(8)));

static void put(LV2_URID key, Key k) {
  if (k.type == NONE) return;
  lv2_atom_forge_key(&forge, key);
  switch (k.type) {
    case INT: lv2_atom_forge_int(&forge, (int32_t)k.value); break;
    case LONG: lv2_atom_forge_long(&forge, (int64_t)k.value); break;
    case FLOAT: lv2_atom_forge_float(&forge, (float)k.value); break;
    default: lv2_atom_forge_double(&forge, k.value); break;
  }
}

/* Builds a time:Position object as a host would send it. */
static const LV2_Atom_Object* position(const Spec* s) {
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame f;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(&forge, &f, 0, U.time_Position);
  put(U.time_frame, s->frame);
  put(U.time_speed, s->speed);
  put(U.time_bar, s->bar);
  put(U.time_barBeat, s->bar_beat);
  put(U.time_beat, s->beat);
  put(U.time_beatsPerBar, s->bpb);
  put(U.time_beatUnit, s->unit);
  put(U.time_beatsPerMinute, s->bpm);
  lv2_atom_forge_pop(&forge, &f);
  return (const LV2_Atom_Object*)lv2_atom_forge_deref(&forge, ref);
}

static unsigned apply(PnTransport* t, const Spec* s) {
  PnPosition p;
  if (!pn_position_read(&p, position(s), &U)) return 0xFFFFu;
  return pn_transport_apply(t, &p);
}

/* What Ardour 7 sends each cycle (lv2_plugin.cc write_position): frame (Long), speed (Float),
   bar (Long, 0-based), barBeat (Float, truncated to 1/1920 beat), beatUnit (Int), beatsPerBar
   (Float), beatsPerMinute (Float). */
static Spec ardour(int64_t frame, double beat, double bpb, double bpm) {
  const double bar = floor(beat / bpb);
  const double bar_beat = floor((beat - bar * bpb) * 1920.0) / 1920.0;
  return (Spec){.frame = {LONG, (double)frame}, .speed = {FLOAT, 1}, .bar = {LONG, bar}, .bar_beat = {FLOAT, bar_beat},
                .unit = {INT, 4}, .bpb = {FLOAT, bpb}, .bpm = {FLOAT, bpm}};
}

static void test_parse_all_types(void) {
  const NumType types[4] = {INT, LONG, FLOAT, DOUBLE};
  for (int i = 0; i < 4; i++) {
    const NumType ty = types[i];
    const Spec s = {.frame = {ty, 96000}, .speed = {ty, 1}, .bar = {ty, 3}, .bar_beat = {ty, 2},
                    .beat = {ty, 14}, .bpb = {ty, 4}, .unit = {ty, 4}, .bpm = {ty, 120}};
    PnPosition p;
    const bool ok = pn_position_read(&p, position(&s), &U);
    CHECK(ok, "type %d: a time:Position", ty);
    CHECK(p.has_frame && p.frame == 96000, "type %d: frame", ty);
    CHECK(p.has_speed && p.speed == 1.0, "type %d: speed", ty);
    CHECK(p.has_bar && p.bar == 3, "type %d: bar", ty);
    CHECK(p.has_bar_beat && p.bar_beat == 2.0, "type %d: barBeat", ty);
    CHECK(p.has_beat && p.beat == 14.0, "type %d: beat", ty);
    CHECK(p.has_beats_per_bar && p.beats_per_bar == 4.0, "type %d: beatsPerBar", ty);
    CHECK(p.has_beat_unit && p.beat_unit == 4, "type %d: beatUnit", ty);
    CHECK(p.has_bpm && p.bpm == 120.0, "type %d: beatsPerMinute", ty);
  }
  /* a frame past 2^53 keeps every bit as a Long */
  const Spec big = {.frame = {LONG, 0}};
  const LV2_Atom_Object* obj = position(&big);
  LV2_Atom_Long* frame_atom = NULL;
  lv2_atom_object_get(obj, U.time_frame, &frame_atom, 0);
  frame_atom->body = (INT64_C(1) << 53) + 1;
  PnPosition p;
  pn_position_read(&p, obj, &U);
  CHECK(p.frame == (INT64_C(1) << 53) + 1, "Long frame read exactly past 2^53");
  /* keys left out are reported as absent; other objects are not positions */
  const Spec only_frame = {.frame = {LONG, 5}};
  pn_position_read(&p, position(&only_frame), &U);
  CHECK(p.has_frame && !p.has_bpm && !p.has_bar && !p.has_speed, "absent keys are absent");
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame f;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(&forge, &f, 0, map.map(map.handle, "urn:other"));
  lv2_atom_forge_pop(&forge, &f);
  CHECK(!pn_position_read(&p, (const LV2_Atom_Object*)lv2_atom_forge_deref(&forge, ref), &U), "other object refused");
}

/* 120 BPM at 48 kHz, Ardour-style Position every 1024-frame cycle for 5000 beats: beat k must
   fall on frame k * 24000 exactly, and the anchor must never move after the first Position. */
static void test_exact_frames_ardour(void) {
  PnTransport t;
  pn_transport_init(&t, 48000.0);
  const uint32_t block = 1024;
  const int64_t beats = 5000, end = beats * 24000;
  int64_t k = 0, wrong = 0, wrong_beat = 0;
  for (int64_t start = 0; start < end; start += block) {
    const double true_beat = (double)start / 24000.0;
    const Spec s = ardour(start, true_beat, 4, 120);
    apply(&t, &s);
    int64_t until;
    while (k <= beats && pn_transport_frames_until(&t, (double)k, &until) && until < block) {
      wrong += start + until != k * 24000;
      wrong_beat += pn_transport_beat(&t, until) != (double)k;
      k++;
    }
    pn_transport_advance(&t, block);
  }
  CHECK(k == beats + 1, "every beat 0..5000 found (%" PRId64 ")", k);
  CHECK(wrong == 0, "beat k at frame k*24000 exactly, %" PRId64 " off", wrong);
  CHECK(wrong_beat == 0, "beat at frame k*24000 is exactly k, %" PRId64 " off", wrong_beat);
  CHECK(t.reanchors == 1, "quantized barBeat never re-anchors (%u re-anchors)", t.reanchors);
}

/* A tempo where frames per beat is not an integer: 133 BPM at 44.1 kHz. Beat k's frame is
   ceil(k * 2646000 / 133), compared in integers over 10000 beats, with irregular blocks. */
static void test_exact_frames_fractional(void) {
  PnTransport t;
  pn_transport_init(&t, 44100.0);
  const Spec s = {.frame = {LONG, 0}, .speed = {FLOAT, 1}, .bar = {LONG, 0}, .bar_beat = {FLOAT, 0},
                  .bpb = {FLOAT, 4}, .bpm = {FLOAT, 133}};
  apply(&t, &s);
  const uint32_t blocks[4] = {64, 1000, 333, 4096};
  int64_t start = 0, k = 0, wrong = 0;
  for (int i = 0; k < 10000; i++) {
    const uint32_t n = blocks[i % 4];
    int64_t until;
    while (pn_transport_frames_until(&t, (double)k, &until) && until < n) {
      const int64_t expect = (k * 2646000 + 132) / 133; /* integer ceil */
      wrong += start + until != expect;
      k++;
    }
    pn_transport_advance(&t, n);
    start += n;
  }
  CHECK(wrong == 0, "133 BPM / 44.1 kHz: %" PRId64 " of 10000 beats off their exact frame", wrong);
}

static void test_tempo_change(void) {
  PnTransport t;
  pn_transport_init(&t, 48000.0);
  Spec s = ardour(0, 0, 4, 120);
  apply(&t, &s);
  pn_transport_advance(&t, 192000); /* 8 beats at 120 */
  /* Ardour's barBeat is truncated: give it a value one tick below the true beat 8 */
  s = ardour(192000, 8.0 - 1.0 / 1920.0, 4, 90);
  const unsigned flags = apply(&t, &s);
  CHECK(flags & PN_TRANSPORT_REANCHORED, "a tempo change re-anchors");
  CHECK(!(flags & PN_TRANSPORT_JUMPED), "a tempo change is not a jump");
  CHECK(t.anchor_beat == 8.0, "the new anchor keeps the exact predicted beat (%.9f)", t.anchor_beat);
  int64_t until = -1;
  pn_transport_frames_until(&t, 9.0, &until);
  CHECK(until == 32000, "beat 9 at 90 BPM is 32000 frames after beat 8 (%" PRId64 ")", until);
  pn_transport_frames_until(&t, 12.0, &until);
  CHECK(until == 128000, "beat 12 is 128000 frames after beat 8 (%" PRId64 ")", until);
}

static void test_jumps(void) {
  PnTransport t;
  pn_transport_init(&t, 48000.0);
  Spec s = ardour(0, 0, 4, 120);
  unsigned flags = apply(&t, &s);
  CHECK((flags & PN_TRANSPORT_JUMPED) && (flags & PN_TRANSPORT_STARTED), "the first Position is a jump and a start");
  pn_transport_advance(&t, 192000);
  s = ardour(0, 0, 4, 120); /* loop back to the start */
  flags = apply(&t, &s);
  CHECK(flags & PN_TRANSPORT_JUMPED, "a frame that is not the predicted one is a jump");
  CHECK(t.anchor_beat == 0.0 && t.elapsed == 0, "the jump anchors on the host's beat");
  pn_transport_advance(&t, 1024);
  s = ardour(1024 + 256, (1024.0 + 256.0) / 24000.0, 4, 120); /* an xrun: 256 frames skipped */
  flags = apply(&t, &s);
  CHECK(flags & PN_TRANSPORT_JUMPED, "an xrun frame skip re-anchors as a jump");
  int64_t until = 0;
  pn_transport_frames_until(&t, 1.0, &until);
  /* after a jump the grid is as exact as the host's beat: Ardour's is truncated to 1/1920 beat */
  CHECK(until >= 24000 - 1280 && until <= 24000 - 1280 + 13,
        "after the skip beat 1 is within one Ardour tick of host frame 24000 (%" PRId64 ")", until);
  pn_transport_advance(&t, 1024);
  const Spec exact = {.frame = {LONG, 4000}, .speed = {FLOAT, 1}, .beat = {DOUBLE, 4000.0 / 24000.0},
                      .bpb = {FLOAT, 4}, .unit = {INT, 4}, .bpm = {FLOAT, 120}};
  flags = apply(&t, &exact);
  pn_transport_frames_until(&t, 1.0, &until);
  CHECK((flags & PN_TRANSPORT_JUMPED) && until == 20000,
        "a host with an exact time:beat gives an exact grid after a jump (%" PRId64 ")", until);
  /* same frame, beat far from the prediction (a meter change renumbers bar * beatsPerBar) */
  pn_transport_init(&t, 48000.0);
  s = ardour(0, 0, 4, 120);
  apply(&t, &s);
  pn_transport_advance(&t, 8 * 24000);
  s = ardour(8 * 24000, 6.0, 3, 120); /* bar 2 of 3/4 = beat 6 */
  flags = apply(&t, &s);
  CHECK(flags & PN_TRANSPORT_JUMPED, "a meter change that renumbers beats is reported as a jump");
  CHECK(t.anchor_beat == 6.0, "and anchors on the host's bar * beatsPerBar + barBeat");
}

static void test_stop_start_and_no_grid(void) {
  PnTransport t;
  pn_transport_init(&t, 48000.0);
  Spec s = ardour(0, 0, 4, 120);
  apply(&t, &s);
  pn_transport_advance(&t, 48000);
  s = ardour(48000, 2.0, 4, 120);
  s.speed.value = 0;
  unsigned flags = apply(&t, &s);
  CHECK(flags & PN_TRANSPORT_STOPPED, "speed 0 stops");
  CHECK(!pn_transport_rolling(&t) && pn_transport_beat(&t, 5000) == 2.0, "stopped: the beat stands still");
  pn_transport_advance(&t, 10000);
  s.speed.value = 1;
  flags = apply(&t, &s);
  CHECK((flags & PN_TRANSPORT_STARTED) && !(flags & PN_TRANSPORT_JUMPED), "restart at the same frame is no jump");
  CHECK(pn_transport_rolling(&t) && pn_transport_beat(&t, 24000) == 3.0, "rolls on from beat 2");
  /* jalv without a JACK timebase master: frame and speed only */
  pn_transport_init(&t, 48000.0);
  const Spec jalv = {.frame = {LONG, 0}, .speed = {FLOAT, 1}};
  apply(&t, &jalv);
  CHECK(!pn_transport_rolling(&t) && !t.has_beat, "no bar/beat from the host: no beat grid");
  /* a Position with time:beat and no bar */
  pn_transport_init(&t, 48000.0);
  const Spec beat_only = {.frame = {LONG, 0}, .speed = {DOUBLE, 1}, .beat = {DOUBLE, 10.5}, .bpm = {DOUBLE, 60}};
  apply(&t, &beat_only);
  int64_t until = 0;
  CHECK(pn_transport_frames_until(&t, 11.0, &until) && until == 24000, "time:beat alone anchors the grid");
}

/* A host's absurd values are ignored field by field; sane ones afterwards are taken as usual. */
static void test_absurd_values(void) {
  PnTransport t;
  pn_transport_init(&t, 48000.0);
  PnPosition p = {.has_speed = true, .speed = 1, .has_bpm = true, .bpm = 120, .has_beat = true, .beat = 0, .has_beats_per_bar = true, .beats_per_bar = 4};
  pn_transport_apply(&t, &p);
  pn_transport_advance(&t, 24000);
  PnPosition bad = {.has_speed = true, .speed = NAN, .has_bpm = true, .bpm = 1e300, .has_beat = true, .beat = INFINITY,
                    .has_beats_per_bar = true, .beats_per_bar = -3, .has_beat_unit = true, .beat_unit = 9999};
  pn_transport_apply(&t, &bad);
  CHECK(t.bpm == 120 && t.speed == 1 && t.beats_per_bar == 4 && pn_transport_rolling(&t), "absurd values ignored: 120 BPM, rolling, 4/4 kept");
  CHECK(fabs(pn_transport_beat(&t, 0) - 1.0) < 1e-12, "absurd values ignored: the beat runs on (%.6f)", pn_transport_beat(&t, 0));
  PnPosition slow = {.has_bpm = true, .bpm = 0.001}, fast = {.has_bpm = true, .bpm = 5000};
  pn_transport_apply(&t, &slow);
  pn_transport_apply(&t, &fast);
  CHECK(t.bpm == 120, "tempi below 1 or above 1000 BPM ignored (%g)", t.bpm);
  PnPosition tempo20 = {.has_bpm = true, .bpm = 20, .has_beat = true, .beat = 1.0}, tempo300 = {.has_bpm = true, .bpm = 300, .has_beat = true, .beat = 1.0};
  pn_transport_apply(&t, &tempo20);
  CHECK(t.bpm == 20 && t.frames_per_beat == 144000.0, "20 BPM taken (%g frames per beat)", t.frames_per_beat);
  pn_transport_apply(&t, &tempo300);
  CHECK(t.bpm == 300 && t.frames_per_beat == 9600.0, "300 BPM taken (%g frames per beat)", t.frames_per_beat);
}

int main(void) {
  pn_time_urids_map(&U, &map);
  lv2_atom_forge_init(&forge, &map);
  test_parse_all_types();
  test_exact_frames_ardour();
  test_exact_frames_fractional();
  test_tempo_change();
  test_jumps();
  test_stop_start_and_no_grid();
  test_absurd_values();
  test_urids_free(&urid_table);
  return check_summary("test_transport");
}
