/* lv2_run_bench.c: a lilv host that measures the assembled plug-in (plugin/target/pianola.lv2)
   with its JVM inside. A benchmark, not a test: it prints figures and exits 0 whatever they are
   (1 only if the plug-in cannot be run at all). Run through `tools/bench/run lv2`.

   (c) JVM start: instantiate() to status 0 (Java side running) for the first instance, which
       starts the JVM, and for a second one, which joins it.
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

#include "host_log.h"
#include "host_uris.h"
#include "pianola_ports.h"
#include "test_urid.h"

#define RATE 48000.0
#define FRAMES_PER_BEAT 24000 /* 120 BPM */
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
  for (uint32_t p = 4; p < CONTROLS_END; p++) x->controls[p] = isnan(defs[p]) ? 0.0f : defs[p];
  lilv_instance_connect_port(x->inst, P_IN, x->audio_in);
  lilv_instance_connect_port(x->inst, P_OUT, x->audio_out);
  lilv_instance_connect_port(x->inst, P_EVENTS, x->in_buf);
  lilv_instance_connect_port(x->inst, P_MIDI_OUT, x->out_buf);
  for (uint32_t p = 4; p < CONTROLS_END; p++) lilv_instance_connect_port(x->inst, p, &x->controls[p]);
  lilv_instance_activate(x->inst);
  return true;
}

static void close_inst(Inst* x) {
  lilv_instance_deactivate(x->inst);
  lilv_instance_free(x->inst);
}

/* The block's input: an optional Position at frame 0, then MIDI (frame, 3 bytes), in time order. */
typedef struct {
  bool position;
  int64_t pos_frame;
  double pos_beat;
  int n_midi;
  uint32_t at[16];
  uint8_t msg[16][3];
} BlockIn;

/* One run(), timed; returns its duration in ns. Answer note-ons (channel 1) go to *first_answer. */
static int64_t run_block(Inst* x, const BlockIn* b, uint32_t n, int64_t abs, int64_t* first_answer) {
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, (uint8_t*)x->in_buf, IN_CAP);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(&forge, &seq, 0);
  if (b->position) forge_position_4_4(&forge, 0, b->pos_frame, 1.0f, b->pos_beat, 120.0, 0);
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
  BlockIn none = {0};
  while (now_ms() - t0 < 60000) {
    run_block(x, &none, MAX_BLOCK, 0, NULL);
    if ((int)x->controls[P_STATUS] != 1) break;
    usleep(500);
  }
  return now_ms() - t0;
}

static int cmp_i64(const void* a, const void* b) {
  const int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}
static int cmp_dbl(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static size_t over_period(const int64_t* sorted, size_t n, int64_t period_ns) {
  size_t k = 0;
  while (k < n && sorted[n - 1 - k] > period_ns) k++;
  return k;
}

/* The machine's steal time (/proc/stat, all CPUs, in clock ticks): the hypervisor running others on our vCPUs. */
static long steal_ticks(void) {
  FILE* f = fopen("/proc/stat", "r");
  long v[8] = {0};
  if (f) {
    if (fscanf(f, "cpu %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) v[7] = 0;
    fclose(f);
  }
  return v[7];
}

static void loadavg(char* buf, size_t n) {
  FILE* f = fopen("/proc/loadavg", "r");
  buf[0] = '\0';
  if (f) {
    if (!fgets(buf, (int)n, f)) buf[0] = '\0';
    fclose(f);
  }
  char* sp = buf;
  for (int k = 0; k < 3 && sp; k++) sp = strchr(sp + 1, ' ');
  if (sp) *sp = '\0';
}

/* The player: a phrase of 4 notes (half a beat each) at the start of every 3-bar cycle, keys
   moving round a scale so the Continuator keeps learning. */
#define CYCLE_BEATS 12
static const uint8_t SCALE[] = {60, 62, 64, 65, 67, 69, 71, 72};

static void bench_block_size(Inst* x, uint32_t n, double seconds) {
  const int64_t total = (int64_t)(seconds * RATE) / n * n;
  const size_t blocks = (size_t)(total / n);
  int64_t* ns = (int64_t*)malloc(blocks * sizeof(int64_t));
  int64_t* idle = (int64_t*)malloc(blocks * sizeof(int64_t)); /* control: the same timer around fixed work */
  const long steal0 = steal_ticks();
  double lat_beats[256];
  int n_lat = 0, cycles = 0;
  char load0[64], load1[64];
  loadavg(load0, sizeof load0);
  int64_t phrase_end = -1, first_answer = -1;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (size_t i = 0; i < blocks; i++) {
    const int64_t abs = (int64_t)i * n; /* the song's frame: beat = abs / FRAMES_PER_BEAT */
    BlockIn b = {.position = i == 0, .pos_frame = 0, .pos_beat = 0};
    for (int64_t f = abs; f < abs + n; f++) {
      const int64_t in_cycle = f % ((int64_t)CYCLE_BEATS * FRAMES_PER_BEAT);
      const int cycle = (int)(f / ((int64_t)CYCLE_BEATS * FRAMES_PER_BEAT));
      for (int k = 0; k < 4; k++) {
        const uint8_t key = SCALE[(cycle + k * 2) % 8];
        if (in_cycle == (int64_t)k * FRAMES_PER_BEAT || in_cycle == (int64_t)k * FRAMES_PER_BEAT + FRAMES_PER_BEAT / 2) {
          const bool on = in_cycle == (int64_t)k * FRAMES_PER_BEAT;
          b.at[b.n_midi] = (uint32_t)(f - abs);
          memcpy(b.msg[b.n_midi++], (uint8_t[]){on ? 0x91 : 0x81, key, on ? 100 : 0}, 3);
          if (!on && k == 3) { /* last release + silence_beats (1) */
            if (phrase_end >= 0 && first_answer >= 0 && n_lat < 256) lat_beats[n_lat++] = (double)(first_answer - phrase_end) / FRAMES_PER_BEAT;
            phrase_end = f + FRAMES_PER_BEAT;
            first_answer = -1;
            cycles++;
          }
        }
      }
    }
    /* the answer to the phrase: the first answer note-on after its end (before the next phrase) */
    ns[i] = run_block(x, &b, n, abs, phrase_end >= 0 ? &first_answer : NULL);
    struct timespec c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &c0);
    volatile float sink = 0;
    for (uint32_t k = 0; k < 16 * n; k++) sink += x->audio_out[k % n]; /* fixed work, about run()'s median */
    clock_gettime(CLOCK_MONOTONIC, &c1);
    idle[i] = (int64_t)(c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec);
    if (first_answer >= 0 && first_answer < phrase_end) first_answer = -1; /* a late note of the previous answer */
    next.tv_nsec += (long)(n * 1e9 / RATE);
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  if (phrase_end >= 0 && first_answer >= 0 && n_lat < 256) lat_beats[n_lat++] = (double)(first_answer - phrase_end) / FRAMES_PER_BEAT;
  loadavg(load1, sizeof load1);
  qsort(ns, blocks, sizeof(int64_t), cmp_i64);
  qsort(idle, blocks, sizeof(int64_t), cmp_i64);
  printf("run() %3u frames (period %.0f us): %zu blocks, median %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us; load %s -> %s\n", n, n * 1e6 / RATE,
         blocks, ns[blocks / 2] / 1e3, ns[(size_t)(blocks * 0.99)] / 1e3, ns[(size_t)(blocks * 0.999)] / 1e3, ns[blocks - 1] / 1e3, load0, load1);
  /* a long pause here too means the thread lost its core (the VM, a higher priority): not run()'s work */
  printf("  control (fixed work on the same thread, no plug-in): median %.1f us, p99.9 %.1f us, max %.1f us; steal %ld ticks; blocks over the period: run() %zu\n",
         idle[blocks / 2] / 1e3, idle[(size_t)(blocks * 0.999)] / 1e3, idle[blocks - 1] / 1e3, steal_ticks() - steal0,
         over_period(ns, blocks, (int64_t)(n * 1e9 / RATE)));
  if (n_lat > 0) {
    qsort(lat_beats, (size_t)n_lat, sizeof(double), cmp_dbl);
    printf("  phrase end -> first answering note: %d of %d phrases answered; min %.3f beats (%.0f ms), median %.3f beats (%.0f ms), max %.3f beats (%.0f ms)\n",
           n_lat, cycles, lat_beats[0], lat_beats[0] * 500, lat_beats[n_lat / 2], lat_beats[n_lat / 2] * 500, lat_beats[n_lat - 1],
           lat_beats[n_lat - 1] * 500);
  } else {
    printf("  phrase end -> first answering note: no answer in %d phrases\n", cycles);
  }
  free(ns);
  free(idle);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  double seconds = 30, warmup_s = 5;
  int engine = 0;
  const char* sizes = "64,128,256";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--engine")) engine = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--blocks")) sizes = argv[i + 1];
    else if (!strcmp(argv[i], "--warmup")) warmup_s = atof(argv[i + 1]);
    else {
      fprintf(stderr, "lv2_run_bench: unknown option %s (--seconds S, --engine 0|1|2, --blocks 64,128,256, --warmup S)\n", argv[i]);
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
  a.controls[P_START_ON] = 1;
  a.controls[P_FREEWHEEL] = 0;
  /* the engine opens on the instance's worker (a model package takes seconds): stopped blocks, paced */
  BlockIn none = {0};
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
  printf("engine %d (0 Continuator, 1 REMI, 2 Perceiver AR), 48 kHz, 120 BPM, %.0f s per block size, audio thread %s\n", engine, seconds,
         fifo ? "SCHED_FIFO 70" : "SCHED_OTHER (no permission for SCHED_FIFO)");
  for (const char* s = sizes; *s;) {
    const uint32_t n = (uint32_t)strtoul(s, NULL, 10);
    if (n >= 1 && n <= MAX_BLOCK) {
      /* each size from the song's start: a jump the plug-in follows */
      bench_block_size(&a, n, seconds);
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
