/*
 * pianola_lv2.c: the LV2 front-end of the Pianola plug-in (https://pianola.dev/plugins/pianola).
 * It only translates: the events_in atom sequence (MIDI, time:Position) into the core's host
 * events, the control ports into parameters (by id, pn_params.h), the core's MIDI into the
 * midi_out sequence. Everything else is the core's (../core/pn_core.h).
 *
 * The compose prompt (pn_params.h, PN_PROMPT_*) is a patch:writable property of range atom:String:
 * a patch:Set on events_in sets it (in run(): the core's copy is bounded and never waits), a
 * patch:Get asks for it, and each change (or restore) is told on midi_out as a patch:Set, which
 * is how a host's generic interface shows it. The state extension saves and restores it; the
 * control ports are saved by the host as before. LV2 never runs restore() beside run(), so run()
 * reads the prompt without waiting.
 *
 * REAL TIME: run() is called on the host's audio thread. It never allocates, locks, logs, makes a
 * system call or enters the JVM; the core waits for Java only while lv2:freeWheeling is on
 * (offline rendering). All memory it touches is made in instantiate().
 */
#include <math.h>
#include <stdatomic.h>
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
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
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
  /* the prompt property */
  LV2_URID patch_Set, patch_Get, patch_property, patch_value, atom_String, prompt;
  _Atomic bool prompt_notify; /* tell the prompt on midi_out (after a Set, a Get or a restore) */
  char prompt_text[PN_PROMPT_MAX_BYTES + 1];

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
  self->patch_Set = m->map(m->handle, LV2_PATCH__Set);
  self->patch_Get = m->map(m->handle, LV2_PATCH__Get);
  self->patch_property = m->map(m->handle, LV2_PATCH__property);
  self->patch_value = m->map(m->handle, LV2_PATCH__value);
  self->atom_String = m->map(m->handle, LV2_ATOM__String);
  self->prompt = m->map(m->handle, PIANOLA_LV2_PROMPT_URI);
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

/* the bytes before the terminator, within size */
static size_t text_len(const char* text, size_t size) {
  const char* end = (const char*)memchr(text, '\0', size);
  return end ? (size_t)(end - text) : size;
}

/* A patch:Set of the prompt, or a patch:Get (of it or of everything); true when the atom was one. */
static bool read_patch(Pianola* self, const LV2_Atom* body) {
  if (body->type != self->forge.Object) return false;
  const LV2_Atom_Object* obj = (const LV2_Atom_Object*)body;
  if (obj->body.otype == self->patch_Get) {
    const LV2_Atom* property = NULL;
    lv2_atom_object_get(obj, self->patch_property, &property, 0);
    if (!property || (property->type == self->forge.URID && ((const LV2_Atom_URID*)property)->body == self->prompt))
      atomic_store_explicit(&self->prompt_notify, true, memory_order_relaxed);
    return true;
  }
  if (obj->body.otype != self->patch_Set) return false;
  const LV2_Atom *property = NULL, *value = NULL;
  lv2_atom_object_get(obj, self->patch_property, &property, self->patch_value, &value, 0);
  if (!property || property->type != self->forge.URID || ((const LV2_Atom_URID*)property)->body != self->prompt) return true;
  if (!value || value->type != self->atom_String || value->size < 1) return true; /* not text: ignored */
  const char* text = (const char*)LV2_ATOM_BODY_CONST(value);
  pn_core_set_prompt(self->core, text, text_len(text, value->size));
  atomic_store_explicit(&self->prompt_notify, true, memory_order_relaxed);
  return true;
}

/* The prompt as a patch:Set on midi_out, after this block's MIDI; kept for the next block when the
   host's buffer has no room left. */
static void write_prompt(Pianola* self) {
  if (!self->forge_ok || !atomic_load_explicit(&self->prompt_notify, memory_order_relaxed)) return;
  const size_t len = pn_core_prompt(self->core, self->prompt_text, sizeof self->prompt_text);
  LV2_Atom_Forge* f = &self->forge;
  const uint32_t need = (uint32_t)sizeof(LV2_Atom_Event) + 64u + lv2_atom_pad_size((uint32_t)len + 1u);
  if (f->size - f->offset < need) return;
  atomic_store_explicit(&self->prompt_notify, false, memory_order_relaxed);
  LV2_Atom_Forge_Frame frame;
  lv2_atom_forge_frame_time(f, self->last_out_frame);
  lv2_atom_forge_object(f, &frame, 0, self->patch_Set);
  lv2_atom_forge_key(f, self->patch_property);
  lv2_atom_forge_urid(f, self->prompt);
  lv2_atom_forge_key(f, self->patch_value);
  lv2_atom_forge_string(f, self->prompt_text, (uint32_t)len);
  lv2_atom_forge_pop(f, &frame);
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
    } else if (read_patch(self, &ev->body)) {
      continue; /* the prompt: the core has it; not a host event */
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
  write_prompt(self);

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

/* The prompt in the host's saved state (the controls are ports: the host saves those). */
static LV2_State_Status state_save(LV2_Handle instance, LV2_State_Store_Function store, LV2_State_Handle handle, uint32_t flags,
                                   const LV2_Feature* const* features) {
  (void)flags;
  (void)features;
  Pianola* self = (Pianola*)instance;
  char text[PN_PROMPT_MAX_BYTES + 1];
  const size_t len = pn_core_prompt(self->core, text, sizeof text);
  return store(handle, self->prompt, text, len + 1, self->atom_String, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
}

static LV2_State_Status state_restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle, uint32_t flags,
                                      const LV2_Feature* const* features) {
  (void)flags;
  (void)features;
  Pianola* self = (Pianola*)instance;
  size_t size = 0;
  uint32_t type = 0, value_flags = 0;
  const char* text = (const char*)retrieve(handle, self->prompt, &size, &type, &value_flags);
  if (!text) return LV2_STATE_SUCCESS; /* a state saved before the prompt existed: the prompt stays */
  if (type != self->atom_String) return LV2_STATE_ERR_BAD_TYPE;
  pn_core_set_prompt(self->core, text, text_len(text, size));
  atomic_store_explicit(&self->prompt_notify, true, memory_order_relaxed);
  return LV2_STATE_SUCCESS;
}

static const LV2_State_Interface state_interface = {state_save, state_restore};

static const void* extension_data(const char* uri) {
  if (!strcmp(uri, LV2_STATE__interface)) return &state_interface;
  return NULL;
}

static const LV2_Descriptor descriptor = {PIANOLA_LV2_URI, instantiate, connect_port, activate,
                                          run,             deactivate,  cleanup,      extension_data};

/* The one exported symbol (pianola_lv2.map + -fvisibility=hidden). */
LV2_SYMBOL_EXPORT const LV2_Descriptor* lv2_descriptor(uint32_t index) { return index == 0 ? &descriptor : NULL; }
