/*
 * pianola_lv2.c: the LV2 entry points of the Pianola plugin (https://pianola.dev/plugins/pianola).
 *
 * REAL TIME: run() is called on the host's audio thread. It never allocates, locks, blocks, logs,
 * makes a system call, or calls into anything that might (no JNI, no lv2_log from run()). All
 * memory it touches (rings, scheduler table, forge) is made in instantiate(). The rings are
 * lock-free SPSC (spsc_ring.h); the forge, transport and scheduler are plain arithmetic.
 *
 * This step has no JVM yet: the plugin passes audio through, passes its MIDI input through to its
 * MIDI output, publishes input MIDI, transport and parameters on the input ring (for Java, later),
 * and plays whatever beat-stamped notes appear on the output ring through the scheduler. Its
 * status port says "Java unavailable" (2).
 *
 * Rings (layout in spsc_ring.h):
 *   input ring  C -> Java, PnInputRecord (32 bytes, below), 4096 records;
 *   output ring Java -> C, PnNoteRecord (16 bytes, scheduler.h), 4096 records.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/core/lv2_util.h>
#include <lv2/log/logger.h>
#include <lv2/midi/midi.h>
#include <lv2/urid/urid.h>

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
  PORT_COUNT
} PortIndex;

/* The parameter inputs published on the input ring when they change. */
#define FIRST_PARAM PORT_ENGINE
#define LAST_PARAM PORT_FREE_WHEELING
#define PARAM_COUNT (LAST_PARAM - FIRST_PARAM + 1)

/* Values of the status port (pianola.ttl has them as scale points). */
enum { STATUS_OK = 0, STATUS_STARTING = 1, STATUS_JAVA_UNAVAILABLE = 2, STATUS_ERROR = 3 };

/* Input ring record (C -> Java), 32 bytes, little-endian:
 *   0  i64 time       plugin frame counter at the event (frames run since activate)
 *   8  f64 beat       song beat at that frame; NaN while the host gives no beat grid
 *  16  u8  kind       1 MIDI, 2 TRANSPORT, 3 PARAMETER
 *  17  u8  arg        MIDI: byte count (1..3); TRANSPORT: flags (bit 0 rolling, bit 1 jumped,
 *                     bit 2 beat grid known); PARAMETER: the port index
 *  18  u16 beat_unit  TRANSPORT: time:beatUnit (0 unknown)
 *  20  12 bytes       MIDI: the message bytes; TRANSPORT: f32 beatsPerBar, f32 bpm, f32 speed;
 *                     PARAMETER: f32 value
 * A TRANSPORT record is written whenever the transport re-anchors, starts or stops; its beat is the
 * new anchor beat at its time, so Java can rebuild the beat <-> frame map exactly. */
enum { REC_MIDI = 1, REC_TRANSPORT = 2, REC_PARAMETER = 3 };
typedef struct PnInputRecord {
  int64_t time;
  double beat;
  uint8_t kind;
  uint8_t arg;
  uint16_t beat_unit;
  union {
    uint8_t midi[12];
    float value[3];
  } u;
} PnInputRecord;
_Static_assert(sizeof(PnInputRecord) == 32, "input-ring record is 32 bytes");
_Static_assert(offsetof(PnInputRecord, u) == 20, "input-ring record payload at 20");

#define IN_RING_RECORDS 4096u
#define OUT_RING_RECORDS 4096u
/* bounds the scheduler's insert work per block (see scheduler.h) */
#define MAX_TAKE_PER_BLOCK 128u

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

  int64_t frames;                /* frames run since activate: the input ring's clock */
  float last_params[PARAM_COUNT]; /* NaN after activate, so the first run publishes them all */
  uint32_t in_dropped;           /* input records lost to a full ring (nobody reads it yet) */
  uint32_t out_dropped;          /* MIDI messages that did not fit the output buffer */
} Pianola;

static LV2_Handle instantiate(const LV2_Descriptor* descriptor, double rate, const char* bundle_path,
                              const LV2_Feature* const* features) {
  (void)descriptor;
  (void)bundle_path;
  Pianola* self = (Pianola*)calloc(1, sizeof(Pianola));
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
  if (!self->in_ring || !self->out_ring) {
    lv2_log_error(&self->logger, "pianola: out of memory for the rings\n");
    pn_ring_destroy(self->in_ring);
    pn_ring_destroy(self->out_ring);
    free(self);
    return NULL;
  }
  lv2_log_note(&self->logger, "pianola: instantiated at %.0f Hz (no Java engine in this build: MIDI thru only)\n",
               rate);
  return (LV2_Handle)self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void* data) {
  Pianola* self = (Pianola*)instance;
  switch ((PortIndex)port) {
    case PORT_AUDIO_IN: self->audio_in = (const float*)data; break;
    case PORT_AUDIO_OUT: self->audio_out = (float*)data; break;
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
  /* a fresh start: no transport, no sounding notes; the rings keep their contents (Java's view) */
  pn_transport_init(&self->transport, self->transport.rate);
  pn_scheduler_init(&self->scheduler);
  self->frames = 0;
  for (uint32_t i = 0; i < PARAM_COUNT; i++) self->last_params[i] = NAN;
}

/* Writes one MIDI message into the output sequence; drops it (counted) if it does not fit. */
static void write_midi(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  Pianola* self = (Pianola*)ctx;
  if (!self->forge_ok) return;
  if (frame < self->last_out_frame) frame = self->last_out_frame; /* keep the sequence in time order */
  LV2_Atom_Forge* f = &self->forge;
  /* check the whole event fits first: a half-written event would corrupt the sequence */
  const uint32_t need = (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
  if (f->size - f->offset < need) {
    self->out_dropped++;
    return;
  }
  lv2_atom_forge_frame_time(f, frame);
  lv2_atom_forge_atom(f, size, self->uris.midi_MidiEvent);
  lv2_atom_forge_write(f, msg, size);
  self->last_out_frame = frame;
}

static void publish(Pianola* self, const PnInputRecord* r) {
  if (!pn_ring_push(self->in_ring, r)) self->in_dropped++; /* never wait on the reader */
}

static double beat_now(const Pianola* self) {
  return self->transport.has_beat ? pn_transport_beat(&self->transport, 0) : NAN;
}

static void publish_transport(Pianola* self, uint32_t frame, unsigned flags) {
  const PnTransport* t = &self->transport;
  PnInputRecord r = {.time = self->frames + frame, .beat = beat_now(self), .kind = REC_TRANSPORT};
  r.arg = (uint8_t)((pn_transport_rolling(t) ? 1 : 0) | ((flags & PN_TRANSPORT_JUMPED) ? 2 : 0) | (t->has_beat ? 4 : 0));
  r.beat_unit = (uint16_t)t->beat_unit;
  r.u.value[0] = (float)t->beats_per_bar;
  r.u.value[1] = (float)t->bpm;
  r.u.value[2] = (float)t->speed;
  publish(self, &r);
}

static void publish_params(Pianola* self) {
  for (uint32_t i = 0; i < PARAM_COUNT; i++) {
    if (!self->params[i]) continue;
    const float v = *self->params[i];
    if (v == self->last_params[i]) continue; /* NaN never equals: the first run sends all */
    self->last_params[i] = v;
    PnInputRecord r = {.time = self->frames, .beat = beat_now(self), .kind = REC_PARAMETER};
    r.arg = (uint8_t)(FIRST_PARAM + i);
    r.u.value[0] = v;
    publish(self, &r);
  }
}

/* Plays the scheduled notes of [from, to) and moves the transport on to `to`. */
static void play_until(Pianola* self, uint32_t* from, uint32_t to) {
  pn_scheduler_play_until(&self->scheduler, &self->transport, from, to, write_midi, self);
}

static void run(LV2_Handle instance, uint32_t n_samples) {
  Pianola* self = (Pianola*)instance;

  /* audio: straight through (memmove: hosts may give the same buffer for in and out) */
  if (self->audio_in && self->audio_out && self->audio_in != self->audio_out)
    memmove(self->audio_out, self->audio_in, sizeof(float) * n_samples);
  else if (!self->audio_in && self->audio_out)
    memset(self->audio_out, 0, sizeof(float) * n_samples);

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

  publish_params(self);
  pn_scheduler_take(&self->scheduler, self->out_ring, MAX_TAKE_PER_BLOCK, &self->transport, 0, write_midi, self);

  uint32_t done = 0;
  if (self->events_in) {
    LV2_ATOM_SEQUENCE_FOREACH (self->events_in, ev) {
      int64_t t64 = ev->time.frames;
      const uint32_t t = t64 < (int64_t)done ? done : t64 > (int64_t)n_samples ? n_samples : (uint32_t)t64;
      play_until(self, &done, t);
      if (ev->body.type == self->uris.midi_MidiEvent) {
        const uint8_t* msg = (const uint8_t*)(ev + 1);
        write_midi(self, t, msg, ev->body.size); /* MIDI thru: the player still reaches the instrument */
        if (ev->body.size >= 1 && ev->body.size <= 3) {
          PnInputRecord r = {.time = self->frames + t, .beat = beat_now(self), .kind = REC_MIDI};
          r.arg = (uint8_t)ev->body.size;
          memcpy(r.u.midi, msg, ev->body.size);
          publish(self, &r);
        }
      } else {
        PnPosition pos;
        if (pn_position_read(&pos, (const LV2_Atom_Object*)&ev->body, &self->uris.time)) {
          /* a jump or a stop ends what the scheduler was playing, so nothing hangs */
          const unsigned flags = pn_scheduler_locate(&self->scheduler, &self->transport, &pos, t, write_midi, self);
          if (flags) publish_transport(self, t, flags);
        }
      }
    }
  }
  play_until(self, &done, n_samples);

  if (self->forge_ok) lv2_atom_forge_pop(&self->forge, &seq_frame);
  if (self->latency) *self->latency = 0.0f; /* audio is not delayed; answers are placed by beat */
  if (self->status) *self->status = (float)STATUS_JAVA_UNAVAILABLE;
  self->frames += n_samples;
}

static void deactivate(LV2_Handle instance) { (void)instance; }

static void cleanup(LV2_Handle instance) {
  Pianola* self = (Pianola*)instance;
  pn_ring_destroy(self->in_ring);
  pn_ring_destroy(self->out_ring);
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
