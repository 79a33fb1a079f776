/*
 * pianola_lv2.c: the LV2 front-end of the Pianola plug-in (https://pianola.dev/plugins/pianola).
 * It only translates: the events_in atom sequence (MIDI, time:Position) into the core's host
 * events, the control ports into parameters (by id, pn_params.h), the core's MIDI into the
 * midi_out sequence. Everything else is the core's (../core/pn_core.h).
 *
 * REAL TIME: run() is called on the host's audio thread. It never allocates, locks, logs, makes a
 * system call or enters the JVM; the core waits for Java only while lv2:freeWheeling is on
 * (offline rendering). All memory it touches is made in instantiate().
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

#include "lv2_ports.h"
#include "lv2_position.h"
#include "pn_core.h"

/* host events per block; more are dropped (counted) */
#define MAX_EVENTS 1024u

/* the parameter behind each control port, + 1 (0: not a parameter) */
#define PORT_PARAM_(id, NAME, symbol, label, kind, min, max, def, lv2_port, ...) [lv2_port] = id + 1,
static const uint8_t port_param[PN_LV2_PORT_COUNT] = {PN_PARAMS(PORT_PARAM_)};
#undef PORT_PARAM_

typedef struct {
  /* ports */
  const float* audio_in;
  float* audio_out;
  const float* audio_in_r; /* NULL when the host leaves the right channel unconnected */
  float* audio_out_r;
  const LV2_Atom_Sequence* events_in;
  LV2_Atom_Sequence* midi_out;
  float* params[PN_PARAM_COUNT]; /* control ports by parameter id (the status output among them) */
  float* latency;

  LV2_URID_Map* map;
  LV2_Log_Logger logger;
  LV2_URID midi_MidiEvent;
  PnTimeUrids time_urids;
  LV2_Atom_Forge forge;
  bool forge_ok;           /* an output sequence is open this block */
  uint32_t last_out_frame; /* events must go out in time order */
  float port_values[PN_PARAM_COUNT]; /* the control ports as last given to the core */

  PnCore* core;
  PnHostEvent events[MAX_EVENTS];
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

static LV2_Handle instantiate(const LV2_Descriptor* descriptor, double rate, const char* bundle_path,
                              const LV2_Feature* const* features) {
  (void)descriptor;
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
  self->midi_MidiEvent = m->map(m->handle, LV2_MIDI__MidiEvent);
  pn_time_urids_map(&self->time_urids, m);
  lv2_atom_forge_init(&self->forge, m);
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) self->port_values[i] = NAN; /* every port reaches the core once */
  self->core = pn_core_create(bundle_path, log_line, self);
  if (!self->core) {
    lv2_log_error(&self->logger, "pianola: out of memory for the rings\n");
    free(self);
    return NULL;
  }
  pn_core_start(self->core, rate); /* returns at once; the JVM starts on a thread of its own, never in run() */
  return (LV2_Handle)self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void* data) {
  Pianola* self = (Pianola*)instance;
  switch (port) {
    case PN_LV2_AUDIO_IN: self->audio_in = (const float*)data; break;
    case PN_LV2_AUDIO_OUT: self->audio_out = (float*)data; break;
    case PN_LV2_AUDIO_IN_R: self->audio_in_r = (const float*)data; break;
    case PN_LV2_AUDIO_OUT_R: self->audio_out_r = (float*)data; break;
    case PN_LV2_EVENTS_IN: self->events_in = (const LV2_Atom_Sequence*)data; break;
    case PN_LV2_MIDI_OUT: self->midi_out = (LV2_Atom_Sequence*)data; break;
    case PN_LV2_LATENCY: self->latency = (float*)data; break;
    default:
      if (port < PN_LV2_PORT_COUNT && port_param[port]) self->params[port_param[port] - 1] = (float*)data;
      break;
  }
}

static void activate(LV2_Handle instance) { pn_core_reset(((Pianola*)instance)->core); }

/* The core's MIDI into the output sequence; a message that does not fit is dropped (counted). */
static void emit(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  Pianola* self = (Pianola*)ctx;
  if (!self->forge_ok) return;
  if (frame < self->last_out_frame) frame = self->last_out_frame; /* keep the sequence in time order */
  LV2_Atom_Forge* f = &self->forge;
  /* check the whole event fits first: a half-written event would corrupt the sequence */
  const uint32_t need = (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
  if (f->size - f->offset < need) return; /* no room left in the host's buffer: dropped */
  lv2_atom_forge_frame_time(f, frame);
  lv2_atom_forge_atom(f, size, self->midi_MidiEvent);
  lv2_atom_forge_write(f, msg, size);
  self->last_out_frame = frame;
}

/* events_in as the core's host events: MIDI of 1..3 bytes and time:Positions, in time order */
static uint32_t read_events(Pianola* self, uint32_t n_samples) {
  uint32_t n = 0;
  if (!self->events_in) return 0;
  LV2_ATOM_SEQUENCE_FOREACH (self->events_in, ev) {
    if (n == MAX_EVENTS) continue; /* more than a block can carry: dropped */
    PnHostEvent* e = &self->events[n];
    const int64_t t = ev->time.frames;
    e->frame = t < 0 ? 0 : t > (int64_t)n_samples ? n_samples : (uint32_t)t;
    if (ev->body.type == self->midi_MidiEvent) {
      if (ev->body.size < 1) continue;
      e->kind = PN_EV_MIDI;
      e->size = ev->body.size;
      e->long_bytes = ev->body.size > 3 ? (const uint8_t*)(ev + 1) : NULL; /* sysex: passed through only */
      if (ev->body.size <= 3) memcpy(e->midi, (const uint8_t*)(ev + 1), ev->body.size);
    } else if (pn_position_read(&e->position, (const LV2_Atom_Object*)&ev->body, &self->time_urids)) {
      e->kind = PN_EV_POSITION;
    } else {
      continue;
    }
    n++;
  }
  return n;
}

static void run(LV2_Handle instance, uint32_t n_samples) {
  Pianola* self = (Pianola*)instance;
  /* the control ports that changed since the last block (NaN never equals: a NaN port is offered
     each block and ignored by the core) */
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) {
    if (!self->params[i] || (pn_params[i].flags & PN_PARAM_OUTPUT) || *self->params[i] == self->port_values[i]) continue;
    self->port_values[i] = *self->params[i];
    pn_core_set_param(self->core, i, self->port_values[i]);
  }

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

  const PnBlock block = {.frames = n_samples,
                         .in_l = self->audio_in,
                         .in_r = self->audio_in_r,
                         .out_l = self->audio_out,
                         .out_r = self->audio_out_r,
                         .events = self->events,
                         .n_events = read_events(self, n_samples),
                         .emit = emit,
                         .emit_ctx = self};
  pn_core_process(self->core, &block);

  if (self->forge_ok) lv2_atom_forge_pop(&self->forge, &seq_frame);
  if (self->latency) *self->latency = 0.0f; /* audio is not delayed; answers are placed by beat */
  if (self->params[PN_PARAM_STATUS]) *self->params[PN_PARAM_STATUS] = (float)pn_core_status(self->core);
}

static void deactivate(LV2_Handle instance) { (void)instance; }

static void cleanup(LV2_Handle instance) {
  Pianola* self = (Pianola*)instance;
  pn_core_destroy(self->core);
  free(self);
}

static const void* extension_data(const char* uri) {
  (void)uri;
  return NULL;
}

static const LV2_Descriptor descriptor = {PIANOLA_LV2_URI, instantiate, connect_port, activate,
                                          run,             deactivate,  cleanup,      extension_data};

/* The one exported symbol (pianola_lv2.map + -fvisibility=hidden). */
LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) { return index == 0 ? &descriptor : NULL; }
