/* clap_host_lib.h: the host side of our CLAP hosts (clap_host.c, the test; tools/bench/clap_run_bench.c):
   the clap_host_t with log, thread-check and params, the input and output event lists, an instance
   (create, init, extensions, close), one process() call with stereo audio (checked bit for bit)
   watched by rt_guard.h when real time, parameter flushes and transport events. Header-only: each
   host is one program; include answer_song.h and rt_guard.h first. */
#ifndef PIANOLA_CLAP_HOST_LIB_H
#define PIANOLA_CLAP_HOST_LIB_H

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <clap/clap.h>

#include "pn_params.h"
#include "rt_guard.h"

#define BLOCK 256u
#define MAX_BLOCK 4096u
#define MAX_IN 64

/* ---- the host ---- */

static pthread_t main_thread;
static bool in_process;
static int rescans, log_errors;

static void host_log(const clap_host_t* h, clap_log_severity s, const char* msg) {
  (void)h;
  if (s >= CLAP_LOG_ERROR) log_errors++;
  fprintf(stderr, "[plugin %d] %s\n", s, msg);
}
static bool is_main(const clap_host_t* h) {
  (void)h;
  return pthread_equal(pthread_self(), main_thread) && !in_process;
}
static bool is_audio(const clap_host_t* h) {
  (void)h;
  return in_process;
}
static void params_rescan(const clap_host_t* h, clap_param_rescan_flags f) {
  (void)h;
  (void)f;
  rescans++;
}
static void params_clear(const clap_host_t* h, clap_id id, clap_param_clear_flags f) {
  (void)h;
  (void)id;
  (void)f;
}
static void params_request_flush(const clap_host_t* h) { (void)h; }

static const clap_host_log_t ext_log = {host_log};
static const clap_host_thread_check_t ext_thread = {is_main, is_audio};
static const clap_host_params_t ext_params = {params_rescan, params_clear, params_request_flush};

static const void* host_get_extension(const clap_host_t* h, const char* id) {
  (void)h;
  if (!strcmp(id, CLAP_EXT_LOG)) return &ext_log;
  if (!strcmp(id, CLAP_EXT_THREAD_CHECK)) return &ext_thread;
  if (!strcmp(id, CLAP_EXT_PARAMS)) return &ext_params;
  return NULL;
}
static void host_request(const clap_host_t* h) { (void)h; }

static const clap_host_t host = {CLAP_VERSION_INIT, NULL, "pianola clap_host", "pianola", "https://pianola.dev", "1",
                                 host_get_extension, host_request, host_request, host_request};

static const clap_plugin_entry_t* entry;
static const clap_plugin_factory_t* factory;

/* ---- one instance and what it sent ---- */

typedef struct {
  const clap_plugin_t* p;
  const clap_plugin_params_t* params;
  const clap_plugin_state_t* state;
  const clap_plugin_render_t* render;
  float in_l[MAX_BLOCK], in_r[MAX_BLOCK], out_l[MAX_BLOCK], out_r[MAX_BLOCK];
  int64_t abs; /* frames run */
  bool offline; /* the render mode the host set: real-time blocks are watched by rt_guard.h */
  int64_t last_ns; /* the last process() call's duration (the benchmark reads it) */
  Ev* out;
  size_t n_out;
  int bad_audio;
} Inst;

/* this block's input events (pointers into `in_store`) */
typedef union {
  clap_event_header_t header;
  clap_event_note_t note;
  clap_event_midi_t midi;
  clap_event_transport_t transport;
  clap_event_param_value_t param;
} AnyEvent;
static AnyEvent in_store[MAX_IN];
static uint32_t n_in;
static Inst* current;

static uint32_t in_size(const clap_input_events_t* l) {
  (void)l;
  return n_in;
}
static const clap_event_header_t* in_get(const clap_input_events_t* l, uint32_t i) {
  (void)l;
  return i < n_in ? &in_store[i].header : NULL;
}
static bool out_push(const clap_output_events_t* l, const clap_event_header_t* h) {
  (void)l;
  Inst* x = current;
  if (h->type == CLAP_EVENT_MIDI && x->n_out < MAX_EVENTS) {
    const clap_event_midi_t* m = (const clap_event_midi_t*)h;
    Ev e = {x->abs + h->time, {m->data[0], m->data[1], m->data[2]}};
    x->out[x->n_out++] = e;
  }
  return true;
}
static const clap_input_events_t in_list = {NULL, in_size, in_get};
static const clap_output_events_t out_list = {NULL, out_push};

static bool open_inst(Inst* x, const char* id) {
  memset(x, 0, sizeof *x);
  x->out = (Ev*)calloc(MAX_EVENTS, sizeof(Ev));
  x->p = factory->create_plugin(factory, &host, id);
  if (!x->p || !x->p->init(x->p)) return false;
  x->params = (const clap_plugin_params_t*)x->p->get_extension(x->p, CLAP_EXT_PARAMS);
  x->state = (const clap_plugin_state_t*)x->p->get_extension(x->p, CLAP_EXT_STATE);
  x->render = (const clap_plugin_render_t*)x->p->get_extension(x->p, CLAP_EXT_RENDER);
  return x->params && x->state && x->render;
}

static void close_inst(Inst* x) {
  if (x->p) {
    x->p->stop_processing(x->p);
    x->p->deactivate(x->p);
    x->p->destroy(x->p);
  }
  x->p = NULL;
  free(x->out);
  x->out = NULL;
}

static double param(const Inst* x, clap_id id) {
  double v = NAN;
  x->params->get_value(x->p, id, &v);
  return v;
}

/* one parameter change by flush (outside process), as a host's automation lane when stopped */
static void flush_param(Inst* x, clap_id id, double v) {
  n_in = 1;
  in_store[0].param = (clap_event_param_value_t){{sizeof(clap_event_param_value_t), 0, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_PARAM_VALUE, 0},
                                                 id, NULL, -1, -1, -1, -1, v};
  x->params->flush(x->p, &in_list, &out_list);
  n_in = 0;
}

static void add_in(const AnyEvent* e) {
  if (n_in < MAX_IN) in_store[n_in++] = *e;
}

static clap_event_transport_t transport_at(uint32_t time, double beat, double bpm, bool playing) {
  clap_event_transport_t t;
  memset(&t, 0, sizeof t);
  t.header = (clap_event_header_t){sizeof t, time, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_TRANSPORT, 0};
  t.flags = CLAP_TRANSPORT_HAS_TEMPO | CLAP_TRANSPORT_HAS_BEATS_TIMELINE | CLAP_TRANSPORT_HAS_TIME_SIGNATURE | (playing ? CLAP_TRANSPORT_IS_PLAYING : 0);
  t.song_pos_beats = (clap_beattime)llround(beat * (double)CLAP_BEATTIME_FACTOR);
  t.tempo = bpm;
  t.tsig_num = 4;
  t.tsig_denom = 4;
  t.bar_number = (int32_t)floor(beat / 4);
  t.bar_start = (clap_beattime)llround(floor(beat / 4) * 4 * (double)CLAP_BEATTIME_FACTOR);
  return t;
}

/* One process() call of `frames`; events already in in_store (sorted by time). `transport` NULL:
   free-running. */
static void run_frames(Inst* x, const clap_event_transport_t* transport, uint32_t frames) {
  for (uint32_t i = 0; i < frames; i++) {
    x->in_l[i] = (float)((x->abs + i) % 977) / 977.0f - 0.5f;
    x->in_r[i] = (float)((x->abs + i) % 613) / 613.0f - 0.5f;
  }
  float* ins[2] = {x->in_l, x->in_r};
  float* outs[2] = {x->out_l, x->out_r};
  clap_audio_buffer_t ain = {ins, NULL, 2, 0, 0}, aout = {outs, NULL, 2, 0, 0};
  clap_process_t pr = {x->abs, frames, transport, &ain, &aout, 1, 1, &in_list, &out_list};
  current = x;
  in_process = true;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (!x->offline) rt_enter();
  x->p->process(x->p, &pr);
  rt_leave();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  x->last_ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  in_process = false;
  n_in = 0;
  for (uint32_t i = 0; i < frames; i++) x->bad_audio += (x->out_l[i] != x->in_l[i]) + (x->out_r[i] != x->in_r[i]);
  x->abs += frames;
}

static void run_block(Inst* x, const clap_event_transport_t* transport) { run_frames(x, transport, BLOCK); }

static double wait_started(Inst* x, double timeout_ms) {
  const double t0 = now_ms();
  while (now_ms() - t0 < timeout_ms) {
    run_block(x, NULL);
    if (param(x, PN_PARAM_STATUS) != PN_STATUS_STARTING) break;
    usleep(2000);
  }
  return now_ms() - t0;
}

#endif
