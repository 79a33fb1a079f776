/*
 * pianola_clap.c: the CLAP front-end of the Pianola plug-in (id dev.pianola.pianola). It only
 * translates: CLAP note/MIDI events and the process transport into the core's host events, CLAP
 * parameters (ids = ours, core/pn_params.h) into the core's, the render mode into FREE_WHEELING, and
 * the core's MIDI into CLAP MIDI events on the note output. Everything else is the core's.
 *
 * Presets: the LV2 presets, compiled in (pn_presets.h), offered through CLAP's preset-discovery
 * factory as presets inside the plug-in (load key: the label) and loaded by clap.preset-load.
 *
 * Extensions: note-ports (one in: CLAP notes or MIDI; one out: MIDI), audio-ports (one stereo
 * main in/out, in place; a mono buffer works too), params (automatable; status read-only), state
 * (core/pn_state.h: versioned, length-prefixed), latency (0: answers are placed by beat, audio is not delayed),
 * render (offline = the core's freewheel wait). From the host: log, thread-check, params, state.
 *
 * Transport: clap_process.transport (and transport events inside the block) become PnPositions in
 * beats of the meter's beat unit (CLAP counts quarter notes: x denom / 4), tempo likewise; a NULL
 * transport (the host is free-running) leaves the core's as it was.
 *
 * REAL TIME: process() never allocates, locks, logs or enters the JVM (the core waits for Java only
 * in offline render mode). All memory is made in init().
 *
 * Bundle: <dir>/Pianola.clap beside pianola.jar and lib/ (the Java side); the JVM is found as in
 * core/jvm_loader.h from <dir>.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clap/clap.h>

#include "pn_core.h"
#include "pn_presets.h" /* generated from presets/lv2/presets.ttl (vst3/gen_presets.c) */
#include "pn_state.h"

#define PLUGIN_ID "dev.pianola.pianola"
#define MAX_EVENTS 1024u

static char g_bundle[4096] = ".";

typedef struct {
  clap_plugin_t plugin;
  const clap_host_t* host;
  const clap_host_log_t* host_log;
  const clap_host_thread_check_t* host_thread_check;
  const clap_host_params_t* host_params;
  PnCore* core;
  const clap_output_events_t* out; /* this block's output list */
  PnHostEvent events[MAX_EVENTS];
} Pianola;

/* The parameters CLAP shows: the table without the host-only one (free_wheeling is the render mode). */
static uint32_t n_visible;
static uint32_t visible[PN_PARAM_COUNT];

static Pianola* self_of(const clap_plugin_t* p) { return (Pianola*)p->plugin_data; }

static void log_line(void* ctx, bool error, const char* line) {
  Pianola* self = (Pianola*)ctx;
  if (self->host_log) self->host_log->log(self->host, error ? CLAP_LOG_ERROR : CLAP_LOG_INFO, line);
  else fprintf(stderr, "%s\n", line);
}

static bool on_main_thread(const Pianola* self) {
  return !self->host_thread_check || self->host_thread_check->is_main_thread(self->host);
}

/* ---- lifecycle ---- */

static bool plugin_init(const clap_plugin_t* plugin) {
  Pianola* self = self_of(plugin);
  const clap_host_t* h = self->host;
  self->host_log = (const clap_host_log_t*)h->get_extension(h, CLAP_EXT_LOG);
  self->host_thread_check = (const clap_host_thread_check_t*)h->get_extension(h, CLAP_EXT_THREAD_CHECK);
  self->host_params = (const clap_host_params_t*)h->get_extension(h, CLAP_EXT_PARAMS);
  self->core = pn_core_create(g_bundle, log_line, self);
  if (!self->core) log_line(self, true, "pianola: out of memory for the rings");
  return self->core != NULL;
}

static void plugin_destroy(const clap_plugin_t* plugin) {
  Pianola* self = self_of(plugin);
  pn_core_destroy(self->core);
  free(self);
}

static bool plugin_activate(const clap_plugin_t* plugin, double rate, uint32_t min_frames, uint32_t max_frames) {
  (void)min_frames;
  (void)max_frames;
  Pianola* self = self_of(plugin);
  if (!on_main_thread(self)) log_line(self, true, "pianola: the host activated the plug-in off its main thread");
  if (!(rate >= 1000.0 && rate <= 1536000.0)) {
    char line[120];
    snprintf(line, sizeof line, "pianola: refusing a sample rate of %g Hz", rate);
    log_line(self, true, line);
    return false;
  }
  pn_core_start(self->core, rate); /* Java starts (first time) on a thread of its own */
  pn_core_reset(self->core);
  return true;
}

static void plugin_deactivate(const clap_plugin_t* plugin) { (void)plugin; }
static bool plugin_start_processing(const clap_plugin_t* plugin) {
  (void)plugin;
  return true;
}
static void plugin_stop_processing(const clap_plugin_t* plugin) { (void)plugin; }
static void plugin_reset(const clap_plugin_t* plugin) { pn_core_reset(self_of(plugin)->core); }
static void plugin_on_main_thread(const clap_plugin_t* plugin) { (void)plugin; }

/* ---- events ---- */

/* A host's parameter change. The core ignores unknown ids, outputs and NaN; the render mode is not a
   parameter here (clap.render sets it), so its id is refused too. */
static void apply_param(Pianola* self, const clap_event_param_value_t* e) {
  if (e->param_id < PN_PARAM_COUNT && !(pn_params[e->param_id].flags & PN_PARAM_HOST)) pn_core_set_param(self->core, e->param_id, e->value);
}

/* The bytes of a channel message with this status (1..3); 0 for what the engines do not take. */
static uint32_t midi_size(uint8_t status) {
  switch (status & 0xF0) {
    case 0x80: case 0x90: case 0xA0: case 0xB0: case 0xE0: return 3;
    case 0xC0: case 0xD0: return 2;
    default: return status == 0xF8 || status == 0xFA || status == 0xFB || status == 0xFC ? 1 : 0;
  }
}

/* A CLAP transport as the core's position (beats in the meter's beat unit). */
static void position_of(const clap_event_transport_t* t, PnPosition* p) {
  memset(p, 0, sizeof *p);
  double units_per_quarter = 1.0;
  if ((t->flags & CLAP_TRANSPORT_HAS_TIME_SIGNATURE) && t->tsig_num > 0 && t->tsig_denom > 0 && t->tsig_denom <= 256) {
    units_per_quarter = t->tsig_denom / 4.0;
    p->has_beats_per_bar = true;
    p->beats_per_bar = t->tsig_num;
    p->has_beat_unit = true;
    p->beat_unit = t->tsig_denom;
  }
  p->has_speed = true;
  p->speed = (t->flags & CLAP_TRANSPORT_IS_PLAYING) ? 1.0 : 0.0;
  if ((t->flags & CLAP_TRANSPORT_HAS_TEMPO) && isfinite(t->tempo) && t->tempo > 0.0) {
    p->has_bpm = true;
    p->bpm = t->tempo * units_per_quarter;
  }
  if (t->flags & CLAP_TRANSPORT_HAS_BEATS_TIMELINE) {
    p->has_beat = true;
    p->beat = (double)t->song_pos_beats / (double)CLAP_BEATTIME_FACTOR * units_per_quarter;
  }
}

static PnHostEvent* next_event(Pianola* self, uint32_t* n, uint32_t frame) {
  if (*n == MAX_EVENTS) return NULL; /* more than a block can carry: dropped */
  PnHostEvent* e = &self->events[(*n)++];
  memset(e, 0, sizeof *e);
  e->frame = frame;
  return e;
}

/* The block's input events as host events; parameter changes are applied as they come (the core
   takes parameters per block). */
static uint32_t read_events(Pianola* self, const clap_process_t* process) {
  uint32_t n = 0;
  if (process->transport) {
    PnHostEvent* e = next_event(self, &n, 0);
    if (e) {
      e->kind = PN_EV_POSITION;
      position_of(process->transport, &e->position);
    }
  }
  const clap_input_events_t* in = process->in_events;
  const uint32_t count = in ? in->size(in) : 0;
  for (uint32_t i = 0; i < count; i++) {
    const clap_event_header_t* h = in->get(in, i);
    if (!h || h->space_id != CLAP_CORE_EVENT_SPACE_ID) continue;
    const uint32_t at = h->time < process->frames_count ? h->time : process->frames_count;
    switch (h->type) {
      case CLAP_EVENT_NOTE_ON:
      case CLAP_EVENT_NOTE_OFF: {
        const clap_event_note_t* ne = (const clap_event_note_t*)h;
        if (ne->key < 0 || ne->key > 127) break;
        const int ch = ne->channel >= 0 && ne->channel < 16 ? ne->channel : 0;
        const double v = isfinite(ne->velocity) ? ne->velocity : 0.0;
        PnHostEvent* e = next_event(self, &n, at);
        if (!e) break;
        e->kind = PN_EV_MIDI;
        e->size = 3;
        if (h->type == CLAP_EVENT_NOTE_ON) {
          int vel = (int)lround(v * 127.0);
          e->midi[0] = (uint8_t)(0x90 | ch);
          e->midi[2] = (uint8_t)(vel < 1 ? 1 : vel > 127 ? 127 : vel); /* velocity 0 would read as a note-off */
        } else {
          int vel = (int)lround(v * 127.0);
          e->midi[0] = (uint8_t)(0x80 | ch);
          e->midi[2] = (uint8_t)(vel < 0 ? 0 : vel > 127 ? 127 : vel);
        }
        e->midi[1] = (uint8_t)ne->key;
        break;
      }
      case CLAP_EVENT_MIDI: {
        const clap_event_midi_t* me = (const clap_event_midi_t*)h;
        const uint32_t size = midi_size(me->data[0]);
        if (!size) break;
        PnHostEvent* e = next_event(self, &n, at);
        if (!e) break;
        e->kind = PN_EV_MIDI;
        e->size = size;
        memcpy(e->midi, me->data, size);
        break;
      }
      case CLAP_EVENT_TRANSPORT: {
        PnHostEvent* e = next_event(self, &n, at);
        if (!e) break;
        e->kind = PN_EV_POSITION;
        position_of((const clap_event_transport_t*)h, &e->position);
        break;
      }
      case CLAP_EVENT_PARAM_VALUE: apply_param(self, (const clap_event_param_value_t*)h); break;
      default: break;
    }
  }
  return n;
}

/* The core's MIDI onto the note output (port 0), at its frame. */
static void emit(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  Pianola* self = (Pianola*)ctx;
  if (!self->out) return;
  /* a full host list drops the message: nothing to do about it on the audio thread */
  if (size <= 3) {
    clap_event_midi_t e = {{sizeof e, frame, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI, 0}, 0, {0, 0, 0}};
    memcpy(e.data, msg, size);
    self->out->try_push(self->out, &e.header);
  } else {
    clap_event_midi_sysex_t e = {{sizeof e, frame, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI_SYSEX, 0}, 0, msg, size};
    self->out->try_push(self->out, &e.header);
  }
}

static const float* channel(const clap_audio_buffer_t* b, uint32_t count, uint32_t i) {
  return count > 0 && b && b->data32 && i < b->channel_count ? b->data32[i] : NULL;
}

static clap_process_status plugin_process(const clap_plugin_t* plugin, const clap_process_t* process) {
  Pianola* self = self_of(plugin);
  self->out = process->out_events;
  const clap_audio_buffer_t* in = process->audio_inputs;
  clap_audio_buffer_t* out = process->audio_outputs;
  const uint32_t nin = process->audio_inputs_count, nout = process->audio_outputs_count;
  const PnBlock block = {.frames = process->frames_count,
                         .in_l = channel(in, nin, 0),
                         .in_r = channel(in, nin, 1),
                         .out_l = (float*)channel(out, nout, 0),
                         .out_r = (float*)channel(out, nout, 1),
                         .events = self->events,
                         .n_events = read_events(self, process),
                         .emit = emit,
                         .emit_ctx = self};
  pn_core_process(self->core, &block);
  self->out = NULL;
  return CLAP_PROCESS_CONTINUE;
}

/* ---- params ---- */

static uint32_t params_count(const clap_plugin_t* plugin) {
  (void)plugin;
  return n_visible;
}

static bool params_get_info(const clap_plugin_t* plugin, uint32_t index, clap_param_info_t* info) {
  (void)plugin;
  if (index >= n_visible) return false;
  const PnParamInfo* p = &pn_params[visible[index]];
  memset(info, 0, sizeof *info);
  info->id = p->id;
  if (p->flags & PN_PARAM_OUTPUT) info->flags = CLAP_PARAM_IS_READONLY;
  else info->flags = CLAP_PARAM_IS_AUTOMATABLE;
  if (p->kind != PN_KIND_FLOAT) info->flags |= CLAP_PARAM_IS_STEPPED;
  if (p->kind == PN_KIND_ENUM) info->flags |= CLAP_PARAM_IS_ENUM;
  snprintf(info->name, sizeof info->name, "%s", p->label);
  info->min_value = p->min;
  info->max_value = p->max;
  info->default_value = p->def;
  return true;
}

static bool params_get_value(const clap_plugin_t* plugin, clap_id id, double* value) {
  Pianola* self = self_of(plugin);
  if (id >= PN_PARAM_COUNT || (pn_params[id].flags & PN_PARAM_HOST)) return false;
  *value = pn_core_param(self->core, id);
  return true;
}

static bool params_value_to_text(const clap_plugin_t* plugin, clap_id id, double value, char* buf, uint32_t len) {
  (void)plugin;
  return pn_param_format(id, value, buf, len);
}

static bool params_text_to_value(const clap_plugin_t* plugin, clap_id id, const char* text, double* value) {
  (void)plugin;
  return pn_param_parse(id, text, value);
}

static void params_flush(const clap_plugin_t* plugin, const clap_input_events_t* in, const clap_output_events_t* out) {
  (void)out;
  Pianola* self = self_of(plugin);
  const uint32_t count = in ? in->size(in) : 0;
  for (uint32_t i = 0; i < count; i++) {
    const clap_event_header_t* h = in->get(in, i);
    if (h && h->space_id == CLAP_CORE_EVENT_SPACE_ID && h->type == CLAP_EVENT_PARAM_VALUE) apply_param(self, (const clap_event_param_value_t*)h);
  }
}

static const clap_plugin_params_t params_ext = {params_count, params_get_info, params_get_value, params_value_to_text,
                                                params_text_to_value, params_flush};

/* ---- state ---- */

/* The bytes are the core's (pn_state.h); CLAP streams have no length and may move a few bytes per
   call, so the state carries its own length and both sides loop. */
static bool write_all(const clap_ostream_t* s, const uint8_t* buf, uint64_t n) {
  while (n > 0) {
    const int64_t w = s->write(s, buf, n);
    if (w <= 0) return false;
    buf += w;
    n -= (uint64_t)w;
  }
  return true;
}

static bool read_all(const clap_istream_t* s, uint8_t* buf, uint64_t n) {
  while (n > 0) {
    const int64_t r = s->read(s, buf, n);
    if (r <= 0) return false;
    buf += r;
    n -= (uint64_t)r;
  }
  return true;
}

static bool state_save(const clap_plugin_t* plugin, const clap_ostream_t* stream) {
  uint8_t buf[PN_STATE_SAVE_MAX_BYTES];
  const size_t len = pn_state_save(self_of(plugin)->core, buf, sizeof buf);
  return len > 0 && write_all(stream, buf, len);
}

static bool state_load(const clap_plugin_t* plugin, const clap_istream_t* stream) {
  Pianola* self = self_of(plugin);
  uint8_t* buf = (uint8_t*)malloc(PN_STATE_MAX_BYTES + PN_STATE_HEADER_BYTES);
  if (!buf) return false;
  char err[200] = "the saved state is cut short";
  size_t len = 0;
  bool ok = read_all(stream, buf, PN_STATE_HEADER_BYTES) && (len = pn_state_length(buf, err, sizeof err)) > 0 &&
            read_all(stream, buf + PN_STATE_HEADER_BYTES, len - PN_STATE_HEADER_BYTES) && pn_state_load(self->core, buf, len, err, sizeof err);
  free(buf);
  if (!ok) {
    char line[260];
    snprintf(line, sizeof line, "pianola: %s; controls left as they were", err);
    log_line(self, true, line);
  }
  if (self->host_params) self->host_params->rescan(self->host, CLAP_PARAM_RESCAN_VALUES);
  return ok;
}

static const clap_plugin_state_t state_ext = {state_save, state_load};

/* ---- the other extensions ---- */

static uint32_t note_ports_count(const clap_plugin_t* plugin, bool is_input) {
  (void)plugin;
  (void)is_input;
  return 1;
}

static bool note_ports_get(const clap_plugin_t* plugin, uint32_t index, bool is_input, clap_note_port_info_t* info) {
  (void)plugin;
  if (index != 0) return false;
  memset(info, 0, sizeof *info);
  info->id = 0;
  info->supported_dialects = is_input ? (CLAP_NOTE_DIALECT_CLAP | CLAP_NOTE_DIALECT_MIDI) : CLAP_NOTE_DIALECT_MIDI;
  info->preferred_dialect = CLAP_NOTE_DIALECT_MIDI;
  snprintf(info->name, sizeof info->name, "%s", is_input ? "Notes In" : "Piano Out");
  return true;
}

static const clap_plugin_note_ports_t note_ports_ext = {note_ports_count, note_ports_get};

static uint32_t audio_ports_count(const clap_plugin_t* plugin, bool is_input) {
  (void)plugin;
  (void)is_input;
  return 1;
}

static bool audio_ports_get(const clap_plugin_t* plugin, uint32_t index, bool is_input, clap_audio_port_info_t* info) {
  (void)plugin;
  if (index != 0) return false;
  memset(info, 0, sizeof *info);
  info->id = 0;
  snprintf(info->name, sizeof info->name, "%s", is_input ? "Audio In" : "Audio Out");
  info->flags = CLAP_AUDIO_PORT_IS_MAIN;
  info->channel_count = 2;
  info->port_type = CLAP_PORT_STEREO;
  info->in_place_pair = 0;
  return true;
}

static const clap_plugin_audio_ports_t audio_ports_ext = {audio_ports_count, audio_ports_get};

static uint32_t latency_get(const clap_plugin_t* plugin) {
  (void)plugin;
  return 0; /* audio passes undelayed; answers are placed by beat */
}

static const clap_plugin_latency_t latency_ext = {latency_get};

static bool render_hard_realtime(const clap_plugin_t* plugin) {
  (void)plugin;
  return false;
}

static bool render_set(const clap_plugin_t* plugin, clap_plugin_render_mode mode) {
  pn_core_set_param(self_of(plugin)->core, PN_PARAM_FREE_WHEELING, mode == CLAP_RENDER_OFFLINE ? 1.0 : 0.0);
  return true;
}

static const clap_plugin_render_t render_ext = {render_hard_realtime, render_set};

/* ---- presets: load (the host asks for one the discovery factory listed) ---- */

static bool preset_load(const clap_plugin_t* plugin, uint32_t kind, const char* location, const char* key) {
  (void)location;
  Pianola* self = self_of(plugin);
  for (unsigned p = 0; kind == CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN && key && p < PN_PRESET_COUNT; p++) {
    if (strcmp(pn_presets[p].label, key) != 0) continue;
    for (unsigned i = 0; i < pn_presets[p].count; i++) {
      const unsigned id = pn_presets[p].values[i].id;
      if (id < PN_PARAM_COUNT && !(pn_params[id].flags & (PN_PARAM_HOST | PN_PARAM_OUTPUT))) pn_core_set_param(self->core, id, pn_presets[p].values[i].value);
    }
    if (self->host_params) self->host_params->rescan(self->host, CLAP_PARAM_RESCAN_VALUES);
    const clap_host_preset_load_t* h = (const clap_host_preset_load_t*)self->host->get_extension(self->host, CLAP_EXT_PRESET_LOAD);
    if (h && h->loaded) h->loaded(self->host, kind, location, key);
    return true;
  }
  char line[200];
  snprintf(line, sizeof line, "pianola: no preset %s", key ? key : "(none)");
  log_line(self, true, line);
  return false;
}

static const clap_plugin_preset_load_t preset_load_ext = {preset_load};

static const void* plugin_get_extension(const clap_plugin_t* plugin, const char* id) {
  (void)plugin;
  if (!strcmp(id, CLAP_EXT_PRESET_LOAD) || !strcmp(id, CLAP_EXT_PRESET_LOAD_COMPAT)) return &preset_load_ext;
  if (!strcmp(id, CLAP_EXT_PARAMS)) return &params_ext;
  if (!strcmp(id, CLAP_EXT_STATE)) return &state_ext;
  if (!strcmp(id, CLAP_EXT_NOTE_PORTS)) return &note_ports_ext;
  if (!strcmp(id, CLAP_EXT_AUDIO_PORTS)) return &audio_ports_ext;
  if (!strcmp(id, CLAP_EXT_LATENCY)) return &latency_ext;
  if (!strcmp(id, CLAP_EXT_RENDER)) return &render_ext;
  return NULL;
}

/* ---- factory and entry ---- */

static const char* const features[] = {CLAP_PLUGIN_FEATURE_NOTE_EFFECT, CLAP_PLUGIN_FEATURE_UTILITY, NULL};

static const clap_plugin_descriptor_t descriptor = {
    .clap_version = CLAP_VERSION_INIT,
    .id = PLUGIN_ID,
    .name = "Pianola",
    .vendor = "Pianola",
    .url = "https://pianola.dev",
    .manual_url = "https://pianola.dev",
    .support_url = "https://pianola.dev",
    .version = PN_VERSION, /* the pom's, passed by the Makefile */
    .description = "An AI piano player: answers what it hears with piano notes, locked to the host's tempo.",
    .features = features,
};

static const clap_plugin_t* create_plugin(const clap_plugin_factory_t* factory, const clap_host_t* host, const char* id) {
  (void)factory;
  if (!host || !id || strcmp(id, PLUGIN_ID) != 0 || !clap_version_is_compatible(host->clap_version)) return NULL;
  Pianola* self = (Pianola*)calloc(1, sizeof(Pianola));
  if (!self) return NULL;
  self->host = host;
  self->plugin = (clap_plugin_t){
      .desc = &descriptor,
      .plugin_data = self,
      .init = plugin_init,
      .destroy = plugin_destroy,
      .activate = plugin_activate,
      .deactivate = plugin_deactivate,
      .start_processing = plugin_start_processing,
      .stop_processing = plugin_stop_processing,
      .reset = plugin_reset,
      .process = plugin_process,
      .get_extension = plugin_get_extension,
      .on_main_thread = plugin_on_main_thread,
  };
  return &self->plugin;
}

static uint32_t factory_count(const clap_plugin_factory_t* factory) {
  (void)factory;
  return 1;
}

static const clap_plugin_descriptor_t* factory_descriptor(const clap_plugin_factory_t* factory, uint32_t index) {
  (void)factory;
  return index == 0 ? &descriptor : NULL;
}

static const clap_plugin_factory_t factory = {factory_count, factory_descriptor, create_plugin};

/* ---- preset discovery: one provider, the presets inside the plug-in ---- */

static const clap_preset_discovery_provider_descriptor_t provider_descriptor = {CLAP_VERSION_INIT, "dev.pianola.presets", "Pianola presets",
                                                                                 "Pianola"};

static bool provider_init(const clap_preset_discovery_provider_t* provider) {
  const clap_preset_discovery_indexer_t* indexer = (const clap_preset_discovery_indexer_t*)provider->provider_data;
  const clap_preset_discovery_location_t inside = {CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT, "Pianola", CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, NULL};
  return indexer->declare_location(indexer, &inside);
}

static void provider_destroy(const clap_preset_discovery_provider_t* provider) { free((void*)provider); }

static bool provider_get_metadata(const clap_preset_discovery_provider_t* provider, uint32_t kind, const char* location,
                                  const clap_preset_discovery_metadata_receiver_t* receiver) {
  (void)provider;
  (void)location;
  if (kind != CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN) return false;
  const clap_universal_plugin_id_t us = {"clap", PLUGIN_ID};
  for (unsigned p = 0; p < PN_PRESET_COUNT; p++) {
    if (!receiver->begin_preset(receiver, pn_presets[p].label, pn_presets[p].label)) break;
    receiver->add_plugin_id(receiver, &us);
    receiver->set_flags(receiver, CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT);
    if (pn_presets[p].description[0]) receiver->set_description(receiver, pn_presets[p].description);
  }
  return true;
}

static const void* provider_get_extension(const clap_preset_discovery_provider_t* provider, const char* id) {
  (void)provider;
  (void)id;
  return NULL;
}

static uint32_t presets_count(const clap_preset_discovery_factory_t* f) {
  (void)f;
  return 1;
}

static const clap_preset_discovery_provider_descriptor_t* presets_descriptor(const clap_preset_discovery_factory_t* f, uint32_t index) {
  (void)f;
  return index == 0 ? &provider_descriptor : NULL;
}

static const clap_preset_discovery_provider_t* presets_create(const clap_preset_discovery_factory_t* f, const clap_preset_discovery_indexer_t* indexer,
                                                              const char* id) {
  (void)f;
  if (!indexer || !id || strcmp(id, provider_descriptor.id) != 0) return NULL;
  clap_preset_discovery_provider_t* p = (clap_preset_discovery_provider_t*)calloc(1, sizeof *p);
  if (!p) return NULL;
  *p = (clap_preset_discovery_provider_t){&provider_descriptor, (void*)indexer, provider_init, provider_destroy, provider_get_metadata,
                                          provider_get_extension};
  return p;
}

static const clap_preset_discovery_factory_t presets_factory = {presets_count, presets_descriptor, presets_create};

static bool entry_init(const char* plugin_path) {
  /* the bundle is the folder that holds Pianola.clap (and pianola.jar, lib/) */
  snprintf(g_bundle, sizeof g_bundle, "%s", plugin_path && *plugin_path ? plugin_path : ".");
  char* slash = strrchr(g_bundle, '/');
  char* backslash = strrchr(g_bundle, '\\'); /* Windows paths */
  if (backslash && (!slash || backslash > slash)) slash = backslash;
  if (slash && slash != g_bundle) *slash = '\0';
  else if (!slash) snprintf(g_bundle, sizeof g_bundle, ".");
  n_visible = 0;
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++)
    if (!(pn_params[i].flags & PN_PARAM_HOST)) visible[n_visible++] = i;
  return true;
}

static void entry_deinit(void) {}

static const void* entry_get_factory(const char* id) {
  if (!strcmp(id, CLAP_PLUGIN_FACTORY_ID)) return &factory;
  if (!strcmp(id, CLAP_PRESET_DISCOVERY_FACTORY_ID) || !strcmp(id, CLAP_PRESET_DISCOVERY_FACTORY_ID_COMPAT)) return &presets_factory;
  return NULL;
}

CLAP_EXPORT const clap_plugin_entry_t clap_entry = {CLAP_VERSION_INIT, entry_init, entry_deinit, entry_get_factory};
