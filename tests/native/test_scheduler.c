/* test_scheduler.c: the beat-to-frame scheduler fed through the output ring, driven block by block
   the way run() drives it (pn_scheduler_take, play_until, locate, take again after a drop).
   Checks exact frames over thousands of beats, a tempo change, loop jumps dropping the table with
   hanging notes released and epochs (stale records discarded, newer ones waiting), a forward
   jump, stop, late note-ons discarded, barge-in (CLEAR), late note-offs, tie order, a full table. */
#include <inttypes.h>
#include <math.h>

#include "check.h"
#include "scheduler.h"

typedef struct {
  int64_t frame; /* absolute: block start + offset */
  uint8_t msg[3];
} Out;

#define MAX_OUT 100000
static Out outs[MAX_OUT];
static size_t n_outs;
static int64_t block_start;
static int order_errors;

static void collect(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  (void)ctx;
  const int64_t at = block_start + frame;
  if (n_outs > 0 && at < outs[n_outs - 1].frame) order_errors++;
  if (n_outs < MAX_OUT) {
    Out o = {at, {msg[0], size > 1 ? msg[1] : 0, size > 2 ? msg[2] : 0}};
    outs[n_outs++] = o;
  }
}

/* a Position as Ardour sends it: barBeat truncated to 1/1920 beat and stored as a float */
static PnPosition pos(int64_t host_frame, double beat, double bpm) {
  const double bar = floor(beat / 4.0);
  return (PnPosition){.has_frame = true, .has_speed = true, .has_bpm = true, .has_beats_per_bar = true,
                      .has_bar = true, .has_bar_beat = true, .frame = host_frame, .speed = 1.0, .bpm = bpm,
                      .beats_per_bar = 4.0, .bar = (int64_t)bar,
                      .bar_beat = (float)(floor((beat - bar * 4.0) * 1920.0) / 1920.0)};
}

typedef struct {
  uint32_t offset;
  PnPosition p;
} Locate;

typedef struct {
  PnScheduler s;
  PnTransport t;
  PnRing* ring;
} Sim;

static uint32_t push_epoch; /* the epoch the "session" stamps on what it pushes */
static Sim sim; /* the scheduler table is 32 KiB: keep it off the stack */

static void sim_start(void) {
  pn_scheduler_init(&sim.s);
  pn_transport_init(&sim.t, 48000.0);
  if (!sim.ring) sim.ring = pn_ring_create(4096, sizeof(PnNoteRecord));
  PnNoteRecord r;
  while (pn_ring_pop(sim.ring, &r)) {}
  n_outs = 0;
  push_epoch = 0;
  block_start = 0;
  order_errors = 0;
}

/* One run(): take records, play up to each Position, apply it, play the rest. */
static void sim_block(uint32_t n, const Locate* locs, int n_locs) {
  pn_scheduler_take(&sim.s, sim.ring, 128, &sim.t, 0, collect, NULL);
  uint32_t done = 0;
  for (int i = 0; i < n_locs; i++) {
    pn_scheduler_play_until(&sim.s, &sim.t, &done, locs[i].offset, collect, NULL);
    if (pn_scheduler_locate(&sim.s, &sim.t, &locs[i].p, locs[i].offset, collect, NULL) & PN_SCHED_DROPPED)
      pn_scheduler_take(&sim.s, sim.ring, 128, &sim.t, locs[i].offset, collect, NULL);
  }
  pn_scheduler_play_until(&sim.s, &sim.t, &done, n, collect, NULL);
  block_start += n;
}

static void push(double beat, uint8_t status, uint8_t d1, uint8_t d2, uint8_t flags) {
  const PnNoteRecord r = {beat, status, d1, d2, flags, push_epoch};
  if (!pn_ring_push(sim.ring, &r)) fprintf(stderr, "ring full in test\n");
}
static void note(double on, double off, uint8_t key) {
  push(on, 0x90, key, 100, 0);
  push(off, 0x80, key, 0, 0);
}

/* Expected output, in order. */
typedef struct {
  int64_t frame;
  uint8_t status, key;
} Want;

static void expect(const char* what, const Want* want, size_t n) {
  size_t bad = 0;
  for (size_t i = 0; i < n && i < n_outs; i++) {
    if (outs[i].frame != want[i].frame || outs[i].msg[0] != want[i].status || outs[i].msg[1] != want[i].key) {
      if (bad++ < 5)
        fprintf(stderr, "  %s #%zu: got %02x %d @%" PRId64 ", want %02x %d @%" PRId64 "\n", what, i, outs[i].msg[0],
                outs[i].msg[1], outs[i].frame, want[i].status, want[i].key, want[i].frame);
    }
  }
  CHECK(n_outs == n, "%s: %zu messages, want %zu", what, n_outs, n);
  CHECK(bad == 0, "%s: %zu messages at the wrong frame or wrong", what, bad);
  CHECK(order_errors == 0, "%s: output in time order", what);
}

/* 3000 beats at 120 BPM / 48 kHz, Ardour Position every 256-frame block, notes fed a few beats
   ahead: every note-on on k * 24000, every note-off on k * 24000 + 12000, nothing else. 6000
   events pass through the 2048-event table: played events leave it. */
static void test_exact_frames(void) {
  sim_start();
  const int beats = 3000;
  int fed = 0;
  for (int64_t start = 0; start < (int64_t)beats * 24000 + 24000; start += 256) {
    const double beat = (double)start / 24000.0;
    while (fed < beats && fed < beat + 8) {
      note(fed, fed + 0.5, (uint8_t)(60 + fed % 12));
      fed++;
    }
    const Locate l = {0, pos(start, beat, 120)};
    sim_block(256, &l, 1);
  }
  size_t wrong = 0;
  for (int k = 0; k < beats && (size_t)(2 * k + 1) < n_outs; k++) {
    const Out* on = &outs[2 * k];
    const Out* off = &outs[2 * k + 1];
    wrong += on->frame != (int64_t)k * 24000 || on->msg[0] != 0x90 || on->msg[1] != 60 + k % 12;
    wrong += off->frame != (int64_t)k * 24000 + 12000 || off->msg[0] != 0x80 || off->msg[1] != 60 + k % 12;
  }
  CHECK(n_outs == (size_t)beats * 2, "exact: %zu messages, want %d", n_outs, beats * 2);
  CHECK(wrong == 0, "exact: %zu of %d messages off their exact frame", wrong, beats * 2);
  CHECK(order_errors == 0, "exact: time order");
  CHECK(sim.t.reanchors == 1, "exact: quantized positions never re-anchored (%u)", sim.t.reanchors);
}

/* 120 BPM for 8 beats, then 90 BPM from host frame 192000 (a Position mid-block). */
static void test_tempo_change(void) {
  sim_start();
  note(2, 2.5, 60);
  note(7.75, 8, 61);
  note(8, 8.5, 62);
  note(9, 10, 63);
  note(10.5, 11, 64);
  for (int b = 0; b < 600; b++) {
    Locate l[1];
    int n = 0;
    if (b == 0) l[n++] = (Locate){0, pos(0, 0, 120)};
    if (b == 274) l[n++] = (Locate){200, pos(192000, 8.0 - 1.0 / 1920.0, 90)}; /* 274 * 700 + 200 = 192000 */
    sim_block(700, l, n);
  }
  const Want want[] = {{48000, 0x90, 60},  {60000, 0x80, 60},  {186000, 0x90, 61}, {192000, 0x80, 61},
                       {192000, 0x90, 62}, {208000, 0x80, 62}, {224000, 0x90, 63}, {256000, 0x80, 63},
                       {272000, 0x90, 64}, {288000, 0x80, 64}};
  expect("tempo change", want, sizeof want / sizeof want[0]);
}

/* A loop over beats [0, 8) (host frames 0..192000), jumps mid-block. Pass 1 plays what epoch 0
   sent; the jump drops the table and releases the note still sounding (65) at the jump frame.
   Nothing replays by itself: records still stamped epoch 0 are discarded as stale, the ones the
   session re-sends for epoch 1 play on pass 2; one sent early for epoch 2 waits in the ring
   through pass 2 and plays on pass 3 (freewheel: Java may be ahead of the audio side). */
static void test_loop(void) {
  sim_start();
  note(0, 0.5, 60);
  note(1, 2, 62);
  note(5, 6, 64);
  note(7, 9, 65); /* ends after the loop end: would hang without the release */
  for (int b = 0; b < 823; b++) {
    Locate l[1];
    int n = 0;
    if (b == 0) l[n++] = (Locate){0, pos(0, 0, 120)};
    if (b == 274) l[n++] = (Locate){200, pos(0, 0, 120)}; /* absolute 192000 */
    if (b == 548) l[n++] = (Locate){400, pos(0, 0, 120)}; /* absolute 384000 */
    if (b == 275) note(3, 3.5, 70);                         /* stale: epoch 0, taken after the drop */
    if (b == 300) {
      push_epoch = 1;
      note(6, 6.5, 71); /* pass 2 */
      push_epoch = 2;
      note(4, 4.5, 72); /* for pass 3: waits behind the drop it was planned after */
    }
    sim_block(700, l, n);
  }
  const Want want[] = {{0, 0x90, 60},           {12000, 0x80, 60},        {24000, 0x90, 62},
                       {48000, 0x80, 62},       {120000, 0x90, 64},       {144000, 0x80, 64},
                       {168000, 0x90, 65},      {192000, 0x80, 65},       {192000 + 144000, 0x90, 71},
                       {192000 + 156000, 0x80, 71}, {384000 + 96000, 0x90, 72}, {384000 + 108000, 0x80, 72}};
  expect("loop", want, sizeof want / sizeof want[0]);
  CHECK(sim.s.stale == 2 && sim.s.epoch == 2, "loop: 2 stale records discarded (%u), epoch 2 (%u)", sim.s.stale, sim.s.epoch);
}

/* A jump forwards from beat 3.25 to beat 7: the table is dropped (beats 4-9 never play), the
   sounding note is released at the jump. A note-on that arrives after its beat has passed is
   discarded and counted; its note-off finds nothing sounding and is not sent. */
static void test_forward_jump(void) {
  sim_start();
  for (int k = 1; k <= 9; k++) note(k, k + 0.5, (uint8_t)(59 + k));
  for (int b = 0; b < 200; b++) {
    Locate l[1];
    int n = 0;
    if (b == 0) l[n++] = (Locate){0, pos(0, 0, 120)};
    if (b == 78) l[n++] = (Locate){0, pos(168000, 7, 120)}; /* at absolute 78000 = beat 3.25 */
    if (b == 100) {
      push_epoch = 1;
      note(7.5, 8.2, 80); /* beat 7.5 was at absolute 90000: late */
      note(10, 10.5, 81); /* absolute 78000 + 3 * 24000 = 150000 */
    }
    sim_block(1000, l, n);
  }
  const Want want[] = {{24000, 0x90, 60}, {36000, 0x80, 60},  {48000, 0x90, 61},
                       {60000, 0x80, 61}, {72000, 0x90, 62},  {78000, 0x80, 62},
                       {150000, 0x90, 81}, {162000, 0x80, 81}};
  expect("forward jump", want, sizeof want / sizeof want[0]);
  CHECK(sim.s.late == 1, "forward jump: one late note-on discarded (%u)", sim.s.late);
}

/* Stop at beat 2 while a note sounds and the pedal is down: note-off and pedal up at the stop
   frame; the stop drops the table, so nothing plays after the restart. A seek past a note-on
   discards it as late and sends no stray note-off. */
static void test_stop_and_seek(void) {
  sim_start();
  push(0.5, 0xB0, 64, 127, 0);
  note(1, 3, 60);
  PnPosition stop = pos(48000, 2, 120);
  stop.speed = 0;
  for (int b = 0; b < 200; b++) {
    Locate l[1];
    int n = 0;
    if (b == 0) l[n++] = (Locate){0, pos(0, 0, 120)};
    if (b == 48) l[n++] = (Locate){0, stop};
    if (b == 60) l[n++] = (Locate){0, pos(48000, 2, 120)};
    sim_block(1000, l, n);
  }
  const Want want[] = {{12000, 0xB0, 64}, {24000, 0x90, 60}, {48000, 0x80, 60}, {48000, 0xB0, 64}};
  expect("stop", want, sizeof want / sizeof want[0]);
  CHECK(n_outs == 4 && outs[3].msg[2] == 0, "stop: the pedal goes up (value 0)");

  sim_start();
  note(1, 2, 60);
  const Locate l = {0, pos(36000, 1.5, 120)};
  sim_block(1000, &l, 1);
  for (int b = 0; b < 100; b++) sim_block(1000, NULL, 0);
  CHECK(n_outs == 0, "seek into a note: no stray note-off (%zu messages)", n_outs);
  CHECK(sim.s.late == 1, "seek into a note: its note-on is late (%u)", sim.s.late);
}

/* Barge-in: a CLEAR from beat 2 while note 2 sounds releases it at once and drops notes 3..8. A
   late note-off (its beat already passed) is sent at once. Equal beats: off before on. */
static void test_clear_late_and_ties(void) {
  sim_start();
  for (int k = 1; k <= 8; k++) note(k, k + 0.5, (uint8_t)(59 + k));
  for (int b = 0; b < 300; b++) {
    const Locate l = {0, pos(0, 0, 120)};
    if (b == 54) push(2.0, 0, 0, 0, PN_NOTE_CLEAR_FROM); /* taken at absolute 54000 = beat 2.25 */
    sim_block(1000, &l, b == 0);
  }
  const Want want[] = {{24000, 0x90, 60}, {36000, 0x80, 60}, {48000, 0x90, 61}, {54000, 0x80, 61}};
  expect("clear", want, sizeof want / sizeof want[0]);

  sim_start();
  push(1, 0x90, 60, 100, 0);
  for (int b = 0; b < 100; b++) {
    const Locate l = {0, pos(0, 0, 120)};
    if (b == 50) push(1.5, 0x80, 60, 0, 0); /* beat 1.5 = frame 36000 passed long ago */
    sim_block(1000, &l, b == 0);
  }
  const Want late[] = {{24000, 0x90, 60}, {50000, 0x80, 60}};
  expect("late note-off", late, sizeof late / sizeof late[0]);

  sim_start();
  push(1, 0x90, 60, 100, 0);
  push(2, 0x90, 60, 90, 0); /* arrives before the off at the same beat */
  push(2, 0x80, 60, 0, 0);
  push(3, 0x80, 60, 0, 0);
  for (int b = 0; b < 100; b++) {
    const Locate l = {0, pos(0, 0, 120)};
    sim_block(1000, &l, b == 0);
  }
  const Want ties[] = {{24000, 0x90, 60}, {48000, 0x80, 60}, {48000, 0x90, 60}, {72000, 0x80, 60}};
  expect("ties", ties, sizeof ties / sizeof ties[0]);
}

/* A full table with nothing behind the play head refuses; the record waits in the ring. Malformed
   records are consumed and counted, never stored. */
static void test_full_and_invalid(void) {
  sim_start();
  const Locate l = {0, pos(0, 0, 120)};
  sim_block(256, &l, 1);
  for (uint32_t i = 0; i < PN_SCHED_CAPACITY; i++) {
    const PnNoteRecord r = {100.0 + i, 0x90, 60, 100, 0, 0};
    pn_scheduler_add(&sim.s, &r, &sim.t, 0, collect, NULL);
  }
  CHECK(sim.s.count == PN_SCHED_CAPACITY, "table filled");
  push(5000.0, 0x90, 61, 100, 0);
  const uint32_t took = pn_scheduler_take(&sim.s, sim.ring, 128, &sim.t, 0, collect, NULL);
  CHECK(took == 0 && pn_ring_count(sim.ring) == 1, "full table: the record stays in the ring");
  PnNoteRecord r;
  pn_ring_pop(sim.ring, &r);
  push(1.0, 0x20, 60, 100, 0);      /* not a status byte */
  push(NAN, 0x90, 60, 100, 0);      /* no beat */
  push(1.0, 0x90, 200, 100, 0);     /* data byte out of range */
  sim.s.count = 0;
  pn_scheduler_take(&sim.s, sim.ring, 128, &sim.t, 0, collect, NULL);
  CHECK(sim.s.invalid == 3 && sim.s.count == 0 && pn_ring_count(sim.ring) == 0,
        "malformed records consumed, counted, not stored (%u)", sim.s.invalid);
}

int main(void) {
  test_exact_frames();
  test_tempo_change();
  test_loop();
  test_forward_jump();
  test_stop_and_seek();
  test_clear_late_and_ties();
  test_full_and_invalid();
  pn_ring_destroy(sim.ring);
  return check_summary("test_scheduler");
}
