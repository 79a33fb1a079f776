/*
 * pianola_lv2.c: the LV2 entry points of the Pianola plugin (https://pianola.dev/plugins/pianola).
 *
 * REAL TIME: run() is called on the host's audio thread. It never allocates, locks, logs, makes a
 * system call or enters the JVM. All memory it touches (rings, control block, scheduler table,
 * forge) is made in instantiate(). The rings are lock-free SPSC (spsc_ring.h); the forge,
 * transport and scheduler are plain arithmetic. The one exception is OFFLINE rendering: while the
 * host says lv2:freeWheeling, run() waits (bounded, FREEWHEEL_WAIT_NS per block) for Java to
 * finish the block, so a bounce matches what is heard live; a freewheeling host is not real time.
 *
 * The Java side (java_bridge.h) starts on a thread of its own from instantiate(); the status port
 * says 1 while it starts, then 0, or 2 (no Java runtime) / 3 (error): in every case audio and MIDI
 * pass through. Until Java runs nothing is published for it; when it starts (and after activate
 * or a lost record) the shim RESYNCs: a BLOCK record with the epoch, the transport as it is, and
 * every parameter.
 *
 * run(), per block:
 *   1. publish (Java running only): parameters, then the block's MIDI and transport changes, each
 *      at its frame with its beat (computed on a copy of the transport), then the block's input
 *      samples into the audio ring (one memcpy, or two across its wrap), then a BLOCK record;
 *   2. freewheel only: wait until Java's control.processed reaches the block's end;
 *   3. take Java's notes from the note ring, then play the block: MIDI thru and Positions at their
 *      frames, scheduled notes at theirs; a drop (scheduler.h) takes again at its frame.
 *
 * Rings (layout in spsc_ring.h):
 *   input ring  C -> Java, PnInputRecord (32 bytes, below), 4096 records;
 *   output ring Java -> C, PnNoteRecord (16 bytes, scheduler.h), 4096 records;
 *   audio ring  C -> Java, float32 samples (4-byte records), 2^18 (5.5 s at 48 kHz): the mono
 *               input, block by block, whole blocks or nothing (a full ring drops the block's
 *               samples, counted; never waits). The BLOCK record says which frames they are.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/core/lv2_util.h>
#include <lv2/log/logger.h>
#include <lv2/midi/midi.h>
#include <lv2/urid/urid.h>

#include "java_bridge.h"
#include "scheduler.h"
#include "spsc_ring.h"
#include "transport.h"

#define PIANOLA_URI "https://pianola.dev/plugins/pianola"

/* Port indices: the same numbers as pianola.ttl. */
typedef enum {
  PORT_AUDIO_IN = 0,
  PORT_AUDIO_OUT = 1,
  PORT_EVENTS_IN = 2,
  PORT_MIDI_OUT = 3,
  PORT_ENGINE = 4,
  PORT_ANSWER_BARS = 5,
  PORT_SILENCE_BEATS = 6,
  PORT_EVERY_BAR = 7,
  PORT_TEMPERATURE = 8,
  PORT_KEY_LOCK = 9,
  PORT_VELOCITY_SCALE = 10,
  PORT_FOLLOW = 11,
  PORT_FREE_WHEELING = 12,
  PORT_LATENCY = 13,
  PORT_STATUS = 14,
  PORT_START_ON = 15,
  PORT_LISTEN = 16,
  PORT_COVER_LAG_BARS = 17,
  PORT_CAPTURE = 18,
  PORT_AUDIO_IN_R = 19, /* stereo's right channel, optional: unconnected, the plug-in is mono */
  PORT_AUDIO_OUT_R = 20,
  PORT_COUNT
} PortIndex;

/* The parameter inputs published on the input ring when they change: every control input from
   FIRST_PARAM to LAST_PARAM (the outputs between them, latency and status, have fields of their own). */
#define FIRST_PARAM PORT_ENGINE
#define LAST_PARAM PORT_CAPTURE
#define PARAM_COUNT (LAST_PARAM - FIRST_PARAM + 1)

/* Values of the status port (pianola.ttl has them as scale points). */
enum { STATUS_OK = 0, STATUS_STARTING = 1, STATUS_JAVA_UNAVAILABLE = 2, STATUS_ERROR = 3 };

/* Input ring record (C -> Java), 32 bytes, little-endian:
 *   0  i64 time       plugin frame counter at the event (frames run since instantiate)
 *   8  f64 beat       song beat at that frame; NaN while the host gives no beat grid
 *  16  u8  kind       1 MIDI, 2 TRANSPORT, 3 PARAMETER, 4 BLOCK
 *  17  u8  arg        MIDI: byte count (1..3); TRANSPORT: flags (bit 0 rolling, bit 1 jumped,
 *                     bit 2 beat grid known, bit 3 dropped: the scheduler dropped its notes and
 *                     the epoch moved on by one, bit 4 resync: a restatement, not a change);
 *                     PARAMETER: the port index; BLOCK: bit 0 AUDIO: the block's input samples
 *                     are in the audio ring, the `block frames` samples before its head
 *  18  u16 beat_unit  TRANSPORT: time:beatUnit (0 unknown)
 *  20  12 bytes       MIDI: the message bytes; TRANSPORT: f32 beatsPerBar, f32 bpm, f32 speed;
 *                     PARAMETER: f32 value; BLOCK: u32 epoch, u32 block frames, u32 the audio
 *                     ring's head after the block's samples (low 32 bits; with AUDIO set the
 *                     samples of frames [time - block frames, time) are the ones just before it)
 * A TRANSPORT record is written whenever the transport re-anchors, starts, stops or drops; its
 * beat is the new anchor beat at its time, so Java can rebuild the beat <-> frame map exactly.
 * A BLOCK record ends each block: time = the frame after the block, beat = the beat there, and the
 * scheduler's epoch at the block's end (authoritative: Java takes it over). */
enum { REC_MIDI = 1, REC_TRANSPORT = 2, REC_PARAMETER = 3, REC_BLOCK = 4, REC_PLAYED = 5 };
enum { TR_ROLLING = 1, TR_JUMPED = 2, TR_GRID = 4, TR_DROPPED = 8, TR_RESYNC = 16 };
enum { BLOCK_AUDIO = 1 };
typedef struct PnInputRecord {
  int64_t time;
  double beat;
  uint8_t kind;
  uint8_t arg;
  uint16_t beat_unit;
  union {
    uint8_t midi[12];
    float value[3];
    uint32_t word[3];
  } u;
} PnInputRecord;
_Static_assert(sizeof(PnInputRecord) == 32, "input-ring record is 32 bytes");
_Static_assert(offsetof(PnInputRecord, u) == 20, "input-ring record payload at 20");

#define IN_RING_RECORDS 4096u
#define OUT_RING_RECORDS 4096u
/* samples; Java drains it every block, so this only has to outlast a stall of Java's thread */
#define AUDIO_RING_SAMPLES (1u << 18)
/* bounds the scheduler's insert work per block (see scheduler.h) */
#define MAX_TAKE_PER_BLOCK 128u
/* MIDI and parameter records leave this many slots free, so the transport and BLOCK records that
   keep Java's clock and epoch right are the last to be lost when Java falls behind */
#define IN_RING_RESERVE 64u
/* freewheel: the longest run() waits for Java in one block */
#define FREEWHEEL_WAIT_NS 200000000LL

typedef struct {
  LV2_URID midi_MidiEvent;
  LV2_URID atom_Sequence;
  LV2_URID atom_Chunk;
  PnTimeUrids time;
} Urids;

typedef struct {
  /* ports */
  const float* audio_in;
  float* audio_out;
  const float* audio_in_r; /* NULL when the host leaves the right channel unconnected */
  float* audio_out_r;
  const LV2_Atom_Sequence* events_in;
  LV2_Atom_Sequence* midi_out;
  const float* params[PARAM_COUNT];
  float* latency;
  float* status;

  LV2_URID_Map* map;
  LV2_Log_Logger logger;
  Urids uris;
  LV2_Atom_Forge forge;
  bool forge_ok;            /* an output sequence is open this block */
  uint32_t last_out_frame;  /* events must go out in time order */

  PnTransport transport;
  PnScheduler scheduler;
  PnRing* in_ring;
  PnRing* out_ring;
  PnRing* audio_ring;
  PnControl* control;
  PnJava java;

  int64_t frames;                 /* frames run since instantiate: the input ring's clock */
  float last_params[PARAM_COUNT]; /* NaN after a resync, so the next block publishes them all */
  bool need_resync;               /* Java's view must be restated (start, activate, a lost record) */
  uint32_t in_dropped;            /* input records lost to a full ring */
  uint32_t audio_dropped;         /* blocks whose samples did not fit the audio ring */
  uint32_t out_dropped;           /* MIDI messages that did not fit the output buffer */
  uint32_t freewheel_timeouts;    /* freewheel blocks where Java did not finish in time */
  bool java_running;              /* this block: Java reads the input ring (PLAYED records go to it) */
} Pianola;

static void log_line(void* ctx, bool error, const char* line) {
  Pianola* self = (Pianola*)ctx;
  if (self->logger.log) {
    if (error) lv2_log_error(&self->logger, "%s\n", line);
    else lv2_log_note(&self->logger, "%s\n", line);
  } else {
    fprintf(stderr, "%s\n", line); /* no host log: stderr, as hosts show it */
  }
}

/* 64-byte aligned, zeroed (not real time) */
static void* aligned_zero(size_t bytes) {
  void* p = aligned_alloc(PN_RING_ALIGN, (bytes + PN_RING_ALIGN - 1) / PN_RING_ALIGN * PN_RING_ALIGN);
  if (p) memset(p, 0, bytes);
  return p;
}

static LV2_Handle instantiate(const LV2_Descriptor* descriptor, double rate, const char* bundle_path,
                              const LV2_Feature* const* features) {
  (void)descriptor;
  /* aligned: the scheduler table is big and the control block shares its line rules */
  Pianola* self = (Pianola*)aligned_zero(sizeof(Pianola));
  if (!self) return NULL;
  const char* missing = lv2_features_query(features, LV2_LOG__log, &self->logger.log, false, LV2_URID__map,
                                           &self->map, true, NULL);
  lv2_log_logger_set_map(&self->logger, self->map);
  if (missing) {
    lv2_log_error(&self->logger, "pianola: missing required feature <%s>\n", missing);
    free(self);
    return NULL;
  }
  LV2_URID_Map* m = self->map;
  self->uris.midi_MidiEvent = m->map(m->handle, LV2_MIDI__MidiEvent);
  self->uris.atom_Sequence = m->map(m->handle, LV2_ATOM__Sequence);
  self->uris.atom_Chunk = m->map(m->handle, LV2_ATOM__Chunk);
  pn_time_urids_map(&self->uris.time, m);
  lv2_atom_forge_init(&self->forge, m);
  pn_transport_init(&self->transport, rate);
  pn_scheduler_init(&self->scheduler);
  self->in_ring = pn_ring_create(IN_RING_RECORDS, sizeof(PnInputRecord));
  self->out_ring = pn_ring_create(OUT_RING_RECORDS, sizeof(PnNoteRecord));
  self->audio_ring = pn_ring_create(AUDIO_RING_SAMPLES, sizeof(float));
  self->control = (PnControl*)aligned_zero(sizeof(PnControl));
  if (!self->in_ring || !self->out_ring || !self->audio_ring || !self->control) {
    lv2_log_error(&self->logger, "pianola: out of memory for the rings\n");
    pn_ring_destroy(self->in_ring);
    pn_ring_destroy(self->out_ring);
    pn_ring_destroy(self->audio_ring);
    free(self->control);
    free(self);
    return NULL;
  }
  pn_control_init(self->control);
  self->need_resync = true;
  for (uint32_t i = 0; i < PARAM_COUNT; i++) self->last_params[i] = NAN;

  PnJava* j = &self->java;
  snprintf(j->bundle, sizeof j->bundle, "%s", bundle_path ? bundle_path : ".");
  const size_t len = strlen(j->bundle);
  if (len > 1 && j->bundle[len - 1] == '/') j->bundle[len - 1] = '\0';
  j->rate = rate;
  j->in_ring = self->in_ring;
  j->out_ring = self->out_ring;
  j->audio_ring = self->audio_ring;
  j->control = self->control;
  j->log = log_line;
  j->log_ctx = self;
  pn_java_start(j); /* returns at once; the JVM starts on a thread of its own, never in run() */
  return (LV2_Handle)self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void* data) {
  Pianola* self = (Pianola*)instance;
  switch ((PortIndex)port) {
    case PORT_AUDIO_IN: self->audio_in = (const float*)data; break;
    case PORT_AUDIO_OUT: self->audio_out = (float*)data; break;
    case PORT_AUDIO_IN_R: self->audio_in_r = (const float*)data; break;
    case PORT_AUDIO_OUT_R: self->audio_out_r = (float*)data; break;
    case PORT_EVENTS_IN: self->events_in = (const LV2_Atom_Sequence*)data; break;
    case PORT_MIDI_OUT: self->midi_out = (LV2_Atom_Sequence*)data; break;
    case PORT_LATENCY: self->latency = (float*)data; break;
    case PORT_STATUS: self->status = (float*)data; break;
    case PORT_COUNT: break;
    default:
      if (port >= FIRST_PARAM && port <= LAST_PARAM) self->params[port - FIRST_PARAM] = (const float*)data;
      break;
  }
}

static void activate(LV2_Handle instance) {
  Pianola* self = (Pianola*)instance;
  /* a fresh start: no transport, no sounding notes. Dropping the table moves the epoch on, and the
     resync tells Java (the frame clock keeps counting: Java's clock never goes back) */
  const uint32_t epoch = self->scheduler.epoch + 1;
  pn_transport_init(&self->transport, self->transport.rate);
  pn_scheduler_init(&self->scheduler);
  self->scheduler.epoch = epoch;
  self->need_resync = true;
}

/* Writes one MIDI message into the output sequence; drops it (counted) if it does not fit.
   Returns the frame it went out on, or -1. */
static int64_t forge_midi(Pianola* self, uint32_t frame, const uint8_t* msg, uint32_t size) {
  if (!self->forge_ok) return -1;
  if (frame < self->last_out_frame) frame = self->last_out_frame; /* keep the sequence in time order */
  LV2_Atom_Forge* f = &self->forge;
  /* check the whole event fits first: a half-written event would corrupt the sequence */
  const uint32_t need = (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
  if (f->size - f->offset < need) {
    self->out_dropped++;
    return -1;
  }
  lv2_atom_forge_frame_time(f, frame);
  lv2_atom_forge_atom(f, size, self->uris.midi_MidiEvent);
  lv2_atom_forge_write(f, msg, size);
  self->last_out_frame = frame;
  return frame;
}

static void publish(Pianola* self, const PnInputRecord* r, uint32_t reserve);

/* The player's MIDI, passed through. */
static void write_midi(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) { forge_midi((Pianola*)ctx, frame, msg, size); }

/* A generated message (the scheduler's notes and releases): written, then told to Java as PLAYED
   with its frame, for the instance's virtual MIDI port (which mirrors what the plug-in played). */
static void write_generated(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  Pianola* self = (Pianola*)ctx;
  const int64_t at = forge_midi(self, frame, msg, size);
  if (at < 0 || !self->java_running || size < 1 || size > 3) return;
  PnInputRecord r = {.time = self->frames + at, .beat = NAN, .kind = REC_PLAYED};
  r.arg = (uint8_t)size;
  memcpy(r.u.midi, msg, size);
  publish(self, &r, IN_RING_RESERVE);
}

/* Pushes one record for Java; `reserve` slots must stay free after it. A loss means Java's view
   is incomplete: the next block restates it. */
static void publish(Pianola* self, const PnInputRecord* r, uint32_t reserve) {
  if (reserve && IN_RING_RECORDS - pn_ring_count(self->in_ring) <= reserve) {
    self->in_dropped++;
    return;
  }
  if (!pn_ring_push(self->in_ring, r)) { /* never wait on the reader */
    self->in_dropped++;
    self->need_resync = true;
  }
}

static double beat_of(const PnTransport* t) { return t->has_beat ? pn_transport_beat(t, 0) : NAN; }

static void publish_transport(Pianola* self, const PnTransport* t, int64_t time, unsigned arg) {
  PnInputRecord r = {.time = time, .beat = beat_of(t), .kind = REC_TRANSPORT};
  r.arg = (uint8_t)(arg | (pn_transport_rolling(t) ? TR_ROLLING : 0) | (t->has_beat ? TR_GRID : 0));
  r.beat_unit = (uint16_t)t->beat_unit;
  r.u.value[0] = (float)t->beats_per_bar;
  r.u.value[1] = (float)t->bpm;
  r.u.value[2] = (float)t->speed;
  publish(self, &r, 0);
}

static void publish_block_end(Pianola* self, const PnTransport* t, int64_t time, uint32_t epoch, uint32_t frames, bool audio) {
  PnInputRecord r = {.time = time, .beat = beat_of(t), .kind = REC_BLOCK, .arg = audio ? BLOCK_AUDIO : 0};
  r.u.word[0] = epoch;
  r.u.word[1] = frames;
  r.u.word[2] = (uint32_t)atomic_load_explicit(&self->audio_ring->head, memory_order_relaxed); /* ours alone */
  publish(self, &r, 0);
}

static void publish_params(Pianola* self, const PnTransport* t) {
  for (uint32_t i = 0; i < PARAM_COUNT; i++) {
    if (!self->params[i]) continue;
    const float v = *self->params[i];
    if (v == self->last_params[i]) continue; /* NaN never equals: a resync sends all */
    PnInputRecord r = {.time = self->frames, .beat = beat_of(t), .kind = REC_PARAMETER};
    r.arg = (uint8_t)(FIRST_PARAM + i);
    r.u.value[0] = v;
    const uint32_t before = self->in_dropped;
    publish(self, &r, IN_RING_RESERVE);
    if (self->in_dropped == before) self->last_params[i] = v; /* else: try again next block */
  }
}

/* The right channel joins the left as their mean: the engines listen in mono. Whole block or
   nothing, as pn_ring_push_n; the samples are written straight into the ring's float slots. */
static bool push_mono_mix(PnRing* r, const float* left, const float* right, uint32_t count) {
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  if (count > r->capacity || head - tail > (uint64_t)(r->capacity - count)) return false;
  for (uint32_t i = 0; i < count; i++) {
    float* slot = (float*)pn_ring_slot(r, head + i);
    *slot = 0.5f * (left[i] + right[i]);
  }
  atomic_store_explicit(&r->head, head + count, memory_order_release);
  return true;
}

static void pass_through(const float* in, float* out, uint32_t n_samples) {
  if (in && out && in != out) memmove(out, in, sizeof(float) * n_samples);
  else if (!in && out) memset(out, 0, sizeof(float) * n_samples);
}

/* Step 1 of run(): what this block brings, for Java. Uses a copy of the transport, so that the
   beats and drops it reports are exactly those step 3 will meet. */
static void publish_block(Pianola* self, uint32_t n_samples) {
  if (self->need_resync && IN_RING_RECORDS - pn_ring_count(self->in_ring) > IN_RING_RESERVE + PARAM_COUNT) {
    self->need_resync = false;
    publish_block_end(self, &self->transport, self->frames, self->scheduler.epoch, 0, false);
    publish_transport(self, &self->transport, self->frames, TR_RESYNC);
    for (uint32_t i = 0; i < PARAM_COUNT; i++) self->last_params[i] = NAN;
  }
  publish_params(self, &self->transport);
  PnTransport t = self->transport;
  uint32_t epoch = self->scheduler.epoch;
  uint32_t done = 0;
  if (self->events_in) {
    LV2_ATOM_SEQUENCE_FOREACH (self->events_in, ev) {
      const int64_t t64 = ev->time.frames;
      const uint32_t at = t64 < (int64_t)done ? done : t64 > (int64_t)n_samples ? n_samples : (uint32_t)t64;
      pn_transport_advance(&t, at - done);
      done = at;
      if (ev->body.type == self->uris.midi_MidiEvent) {
        if (ev->body.size >= 1 && ev->body.size <= 3) {
          PnInputRecord r = {.time = self->frames + at, .beat = beat_of(&t), .kind = REC_MIDI};
          r.arg = (uint8_t)ev->body.size;
          memcpy(r.u.midi, (const uint8_t*)(ev + 1), ev->body.size);
          publish(self, &r, IN_RING_RESERVE);
        }
      } else {
        PnPosition pos;
        if (pn_position_read(&pos, (const LV2_Atom_Object*)&ev->body, &self->uris.time)) {
          const bool was_rolling = pn_transport_rolling(&t);
          const unsigned flags = pn_transport_apply(&t, &pos);
          const bool drops = pn_scheduler_drops(flags, was_rolling, &t);
          if (drops) epoch++;
          if (flags || drops)
            publish_transport(self, &t, self->frames + at, ((flags & PN_TRANSPORT_JUMPED) ? TR_JUMPED : 0) | (drops ? TR_DROPPED : 0));
        }
      }
    }
  }
  pn_transport_advance(&t, n_samples - done);
  /* the input samples, whole or not at all; released before the BLOCK record that names them */
  bool audio = false;
  if (self->audio_in && n_samples > 0) {
    audio = self->audio_in_r ? push_mono_mix(self->audio_ring, self->audio_in, self->audio_in_r, n_samples)
                             : pn_ring_push_n(self->audio_ring, self->audio_in, n_samples);
    if (!audio) self->audio_dropped++;
  }
  publish_block_end(self, &t, self->frames + n_samples, epoch, n_samples, audio);
}

/* Step 2, freewheel only (not real time): until Java has processed up to `until`, bounded. */
static void wait_for_java(Pianola* self, int64_t until) {
  if (atomic_load_explicit(&self->control->processed, memory_order_acquire) >= until) return;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (uint32_t i = 0;; i++) {
    if (atomic_load_explicit(&self->control->processed, memory_order_acquire) >= until) return;
    if (i < 200) continue; /* Java usually answers within microseconds: spin a little first */
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t waited = (int64_t)(now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec);
    if (waited > FREEWHEEL_WAIT_NS) {
      self->freewheel_timeouts++;
      return;
    }
    const struct timespec nap = {0, 20000};
    nanosleep(&nap, NULL);
  }
}

static void take(Pianola* self, uint32_t frame) {
  pn_scheduler_take(&self->scheduler, self->out_ring, MAX_TAKE_PER_BLOCK, &self->transport, frame, write_generated, self);
}

/* Plays the scheduled notes of [from, to) and moves the transport on to `to`. */
static void play_until(Pianola* self, uint32_t* from, uint32_t to) {
  pn_scheduler_play_until(&self->scheduler, &self->transport, from, to, write_generated, self);
}

static int status_now(const Pianola* self) {
  const int s = atomic_load_explicit(&((Pianola*)self)->java.status, memory_order_acquire);
  if (s != STATUS_OK) return s;
  return atomic_load_explicit(&self->control->java_status, memory_order_acquire) == STATUS_ERROR ? STATUS_ERROR : STATUS_OK;
}

static void run(LV2_Handle instance, uint32_t n_samples) {
  Pianola* self = (Pianola*)instance;

  /* audio: straight through, each channel (memmove: hosts may give the same buffer for a
     channel's in and out) */
  pass_through(self->audio_in, self->audio_out, n_samples);
  /* a right output with no right input (a mono track that gave the plug-in two outputs) carries
     the left: dual mono, not a silent side */
  pass_through(self->audio_in_r ? self->audio_in_r : self->audio_in, self->audio_out_r, n_samples);

  /* output: the host left a Chunk whose size is the space available; always overwrite it with
     a Sequence, empty or not. The size is taken as the whole buffer (hosts differ on whether it
     counts the 8-byte header; this reading never overruns either way), but an empty Sequence
     (16 bytes) is always written: no real host buffer is smaller. */
  self->forge_ok = false;
  self->last_out_frame = 0;
  LV2_Atom_Forge_Frame seq_frame;
  if (self->midi_out) {
    uint32_t capacity = self->midi_out->atom.size;
    if (capacity < sizeof(LV2_Atom_Sequence)) capacity = sizeof(LV2_Atom_Sequence);
    lv2_atom_forge_set_buffer(&self->forge, (uint8_t*)self->midi_out, capacity);
    self->forge_ok = lv2_atom_forge_sequence_head(&self->forge, &seq_frame, 0) != 0;
  }

  /* the acquire pairs with the starter's release: Java has the buffers once this reads 0 */
  const bool java = atomic_load_explicit(&self->java.status, memory_order_acquire) == STATUS_OK;
  self->java_running = java;
  if (java) {
    publish_block(self, n_samples);
    const bool freewheeling = self->params[PORT_FREE_WHEELING - FIRST_PARAM] && *self->params[PORT_FREE_WHEELING - FIRST_PARAM] > 0.5f;
    if (freewheeling) wait_for_java(self, self->frames + n_samples);
  }
  take(self, 0);

  uint32_t done = 0;
  if (self->events_in) {
    LV2_ATOM_SEQUENCE_FOREACH (self->events_in, ev) {
      const int64_t t64 = ev->time.frames;
      const uint32_t t = t64 < (int64_t)done ? done : t64 > (int64_t)n_samples ? n_samples : (uint32_t)t64;
      play_until(self, &done, t);
      if (ev->body.type == self->uris.midi_MidiEvent) {
        write_midi(self, t, (const uint8_t*)(ev + 1), ev->body.size); /* MIDI thru: the player still reaches the instrument */
      } else {
        PnPosition pos;
        if (pn_position_read(&pos, (const LV2_Atom_Object*)&ev->body, &self->uris.time)) {
          /* a drop ends what the scheduler was playing; Java's notes for the new position may wait */
          if (pn_scheduler_locate(&self->scheduler, &self->transport, &pos, t, write_generated, self) & PN_SCHED_DROPPED) take(self, t);
        }
      }
    }
  }
  play_until(self, &done, n_samples);

  if (self->forge_ok) lv2_atom_forge_pop(&self->forge, &seq_frame);
  if (self->latency) *self->latency = 0.0f; /* audio is not delayed; answers are placed by beat */
  if (self->status) *self->status = (float)status_now(self);
  self->frames += n_samples;
}

static void deactivate(LV2_Handle instance) { (void)instance; }

static void cleanup(LV2_Handle instance) {
  Pianola* self = (Pianola*)instance;
  /* Java must stop reading the shared memory before it is freed; if it cannot say so, leak it */
  if (!pn_java_stop(&self->java)) {
    lv2_log_error(&self->logger, "pianola: the Java side did not stop; its %zu bytes of shared memory are left allocated\n",
                  pn_ring_bytes(IN_RING_RECORDS, sizeof(PnInputRecord)) + pn_ring_bytes(OUT_RING_RECORDS, sizeof(PnNoteRecord)) +
                      pn_ring_bytes(AUDIO_RING_SAMPLES, sizeof(float)));
    free(self);
    return;
  }
  pn_ring_destroy(self->in_ring);
  pn_ring_destroy(self->out_ring);
  pn_ring_destroy(self->audio_ring);
  free(self->control);
  free(self);
}

static const void* extension_data(const char* uri) {
  (void)uri;
  return NULL;
}

static const LV2_Descriptor descriptor = {PIANOLA_URI, instantiate, connect_port, activate,
                                          run,         deactivate,  cleanup,      extension_data};

/* The one exported symbol (pianola.map + -fvisibility=hidden). */
LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) { return index == 0 ? &descriptor : NULL; }
