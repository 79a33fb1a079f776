/* lv2_run_bench.c: a lilv host that measures the assembled plug-in (plugin/target/pianola.lv2)
   with its JVM inside. A benchmark, not a test: it prints figures and exits 0 whatever they are
   (1 only if the plug-in cannot be run at all). Run through `tools/bench/run lv2`.

   (c) JVM start: instantiate() to status 0 (Java side running) for the first instance, which
       starts the JVM, and for a second one, which joins it.
   The driver (player, pacing, timing, control, steal) is bench_driver.h, shared with the CLAP bench.
   (a) run() cost on the host's audio thread: every run() is timed with clock_gettime
       (CLOCK_MONOTONIC) while blocks are paced in real time (clock_nanosleep to each period's
       deadline) at 48 kHz, 120 BPM, transport rolling; a phrase every 3 bars makes Java answer,
       so the engine generates on the other core while run() is measured. Per block size: median,
       p99, p99.9 and max in microseconds, and the period for scale. The thread runs SCHED_FIFO
       (as a DAW's audio thread does) when allowed, after the JVM has started (threads created
       before inherit the policy; none is created in run()). A control times fixed work of about
       run()'s median (a loop over the audio buffer) after each run(), and the machine's steal
       time is read: control outliers are the machine's (the VM's vCPU or a higher-priority thread
       took the core), not run()'s work.
   (b) phrase end -> first answering note: the phrase ends one beat after its last release
       (silence_beats 1) and the answer may start on the next beat (start_on 1); the first answer
       note-on's frame on the plug-in's MIDI output minus the phrase-end frame, in beats and ms.
       An answer that is not ready in time moves to the next bar line, so this shows compute
       latency at the grid's resolution: 0.5 beat is "in time for the next beat".

   usage: lv2_run_bench [--seconds S (per block size, default 30)] [--engine 0|1|2] [--blocks 64,128,256]
                        [--warmup S (stopped blocks while the engine opens, default 5)]
                        [--start beat|bar (where an answer starts after the phrase end: the next beat, the
                         quickest turn and the default here, or the next bar line, the plug-in's default)]
   LV2_PATH must lead to the assembled bundle; PIANOLA_MODELS to a model store for engines 1 and 2. */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/urid/urid.h>

#define RATE 48000.0
#include "bench_driver.h"
#include "host_log.h"
#include "host_uris.h"
#include "pianola_ports.h"
#include "test_urid.h"

#define MAX_BLOCK 256
#define IN_CAP 4096
#define OUT_CAP 16384

static TestUrids urids;
static LV2_URID_Map map = {&urids, test_urid_map};
static LV2_URID_Unmap unmap = {&urids, test_urid_unmap};

typedef struct {
  LilvInstance* inst;
  float audio_in[MAX_BLOCK], audio_out[MAX_BLOCK];
  uint64_t in_buf[IN_CAP / 8], out_buf[OUT_CAP / 8];
  float controls[N_PORTS];
} Inst;

static const LilvPlugin* plugin;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool open_inst(Inst* x, const LV2_Feature* const* features) {
  memset(x, 0, sizeof *x);
  x->inst = lilv_plugin_instantiate(plugin, RATE, features);
  if (!x->inst) return false;
  float mins[N_PORTS], maxs[N_PORTS], defs[N_PORTS];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) x->controls[p] = isnan(defs[p]) ? 0.0f : defs[p];
  lilv_instance_connect_port(x->inst, P_IN, x->audio_in);
  lilv_instance_connect_port(x->inst, P_OUT, x->audio_out);
  lilv_instance_connect_port(x->inst, P_EVENTS, x->in_buf);
  lilv_instance_connect_port(x->inst, P_MIDI_OUT, x->out_buf);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) lilv_instance_connect_port(x->inst, p, &x->controls[p]);
  lilv_instance_activate(x->inst);
  return true;
}

static void close_inst(Inst* x) {
  lilv_instance_deactivate(x->inst);
  lilv_instance_free(x->inst);
}

/* One run(), timed; returns its duration in ns. Answer note-ons (channel 1) go to *first_answer. */
static int64_t run_block(void* ctx, const BenchBlock* b, uint32_t n, int64_t abs, int64_t* first_answer) {
  Inst* x = (Inst*)ctx;
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, (uint8_t*)x->in_buf, IN_CAP);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(&forge, &seq, 0);
  if (b->position) forge_position_4_4(&forge, 0, 0, 1.0f, 0, 120.0, 0);
  for (int i = 0; i < b->n_midi; i++) {
    lv2_atom_forge_frame_time(&forge, b->at[i]);
    lv2_atom_forge_atom(&forge, 3, u_midi);
    lv2_atom_forge_write(&forge, b->msg[i], 3);
  }
  lv2_atom_forge_pop(&forge, &seq);
  LV2_Atom_Sequence* out = (LV2_Atom_Sequence*)x->out_buf;
  out->atom.type = u_chunk;
  out->atom.size = OUT_CAP - sizeof(LV2_Atom);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  lilv_instance_run(x->inst, n);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (first_answer && *first_answer < 0 && out->atom.type == u_sequence) {
    LV2_ATOM_SEQUENCE_FOREACH (out, ev) {
      const uint8_t* m = (const uint8_t*)(ev + 1);
      if (ev->body.type == u_midi && ev->body.size == 3 && m[0] == 0x90 && m[2] > 0) {
        *first_answer = abs + ev->time.frames;
        break;
      }
    }
  }
  return (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
}

/* Runs stopped blocks until the status leaves 1 (starting); returns the ms since t0. */
static double wait_started(Inst* x, double t0) {
  BenchBlock none = {0};
  while (now_ms() - t0 < 60000) {
    run_block(x, &none, MAX_BLOCK, 0, NULL);
    if ((int)x->controls[P_STATUS] != 1) break;
    usleep(500);
  }
  return now_ms() - t0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  bench_callback_name = "run()";
  double seconds = 30, warmup_s = 5;
  int engine = 0, start_on_beat = 1;
  const char* sizes = "64,128,256";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--engine")) engine = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--blocks")) sizes = argv[i + 1];
    else if (!strcmp(argv[i], "--warmup")) warmup_s = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--start") && (!strcmp(argv[i + 1], "beat") || !strcmp(argv[i + 1], "bar"))) start_on_beat = !strcmp(argv[i + 1], "beat");
    else {
      fprintf(stderr, "lv2_run_bench: unknown option %s (--seconds S, --engine 0|1|2, --blocks 64,128,256, --warmup S, --start beat|bar)\n", argv[i]);
      return 2;
    }
  }
  LilvWorld* world = lilv_world_new();
  lilv_world_load_all(world);
  LilvNode* uri = lilv_new_uri(world, PLUGIN_URI);
  plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  if (!plugin) {
    fprintf(stderr, "lv2_run_bench: %s not found on LV2_PATH=%s\n", PLUGIN_URI, getenv("LV2_PATH") ? getenv("LV2_PATH") : "(unset)");
    return 1;
  }
  map_host_uris(&map);
  LV2_Feature map_f = {LV2_URID__map, &map}, unmap_f = {LV2_URID__unmap, &unmap}, log_f = {LV2_LOG__log, &host_log};
  const LV2_Feature* features[] = {&map_f, &unmap_f, &log_f, NULL};

  /* (c) JVM start */
  static Inst a, second;
  double t0 = now_ms();
  if (!open_inst(&a, features)) return 1;
  const double first_ms = wait_started(&a, t0);
  t0 = now_ms();
  open_inst(&second, features);
  const double second_ms = wait_started(&second, t0);
  printf("JVM start: first instance running %.0f ms after instantiate (status %d); the next %.1f ms (status %d)\n", first_ms, (int)a.controls[P_STATUS],
         second_ms, (int)second.controls[P_STATUS]);
  close_inst(&second);
  if ((int)a.controls[P_STATUS] != 0) {
    fprintf(stderr, "lv2_run_bench: the Java side is not running (status %d)\n", (int)a.controls[P_STATUS]);
    return 1;
  }

  /* (a), (b): quick answers on the beat, live (not freewheeling) */
  a.controls[P_ENGINE] = (float)engine;
  a.controls[P_ANSWER_BARS] = 1;
  a.controls[P_SILENCE] = 1;
  a.controls[P_START_ON] = (float)start_on_beat; /* 1: next beat, 0: next bar */
  a.controls[P_FREEWHEEL] = 0;
  /* the engine opens on the instance's worker (a model package takes seconds): stopped blocks, paced */
  BenchBlock none = {0};
  for (double t1 = now_ms(); now_ms() - t1 < warmup_s * 1000;) {
    run_block(&a, &none, MAX_BLOCK, 0, NULL);
    usleep((useconds_t)(MAX_BLOCK * 1e6 / RATE));
  }
  if ((int)a.controls[P_STATUS] != 0) {
    fprintf(stderr, "lv2_run_bench: engine %d did not start (status %d; see the log above)\n", engine, (int)a.controls[P_STATUS]);
    return 1;
  }
  struct sched_param sp = {.sched_priority = 70};
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  printf("engine %d (0 Continuator, 1 REMI, 2 Perceiver AR), 48 kHz, 120 BPM, answers on the next %s, %.0f s per block size, audio thread %s\n", engine,
         start_on_beat ? "beat" : "bar line", seconds,
         fifo ? "SCHED_FIFO 70" : "SCHED_OTHER (no permission for SCHED_FIFO)");
  for (const char* s = sizes; *s;) {
    const uint32_t n = (uint32_t)strtoul(s, NULL, 10);
    if (n >= 1 && n <= MAX_BLOCK) {
      /* each size from the song's start: a jump the plug-in follows */
      bench_block_size(&a, run_block, a.audio_out, n, seconds);
    }
    s = strchr(s, ',');
    if (!s) break;
    s++;
  }
  sp.sched_priority = 0;
  sched_setscheduler(0, SCHED_OTHER, &sp);
  close_inst(&a);
  lilv_node_free(uri);
  lilv_world_free(world);
  test_urids_free(&urids);
  return 0;
}
