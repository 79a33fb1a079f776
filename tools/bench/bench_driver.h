/* bench_driver.h: the format-neutral part of the plug-in benchmarks (lv2_run_bench.c,
   clap_run_bench.c, and the VST3 host's bench mode, tests/native/vst3_rt_host.cpp; C and C++): the player (a phrase every 3 bars, keys round a scale), real-time pacing of the
   blocks (clock_nanosleep to each period's deadline), the timing of every process call, a control
   of fixed work on the same thread, the machine's steal time and load, and the phrase end -> first
   answering note. A host supplies one function that runs a block and times its process call. */
#ifndef PIANOLA_BENCH_DRIVER_H
#define PIANOLA_BENCH_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef RATE
#define RATE 48000.0
#endif
#define FRAMES_PER_BEAT 24000 /* 120 BPM */

/* The block's input: a rolling transport at 120 BPM from beat 0 on the first block (position),
   then the player's MIDI (frame, 3 bytes), in time order. */
typedef struct {
  bool position;
  int n_midi;
  uint32_t at[16];
  uint8_t msg[16][3];
} BenchBlock;

/* Runs one block of n frames starting at the song's frame abs; returns the process call's ns. The
   first answer note-on (channel 1) goes to *first_answer (absolute frame) when it is not NULL. */
typedef int64_t (*BenchRunFn)(void* x, const BenchBlock* b, uint32_t n, int64_t abs, int64_t* first_answer);

/* how the host's callback is called in the figures: "run()", "process()" */
static const char* bench_callback_name = "process()";

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

static void bench_block_size(void* x, BenchRunFn run_block, const float* audio_out, uint32_t n, double seconds) {
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
    BenchBlock b;
    memset(&b, 0, sizeof b);
    b.position = i == 0;
    for (int64_t f = abs; f < abs + n; f++) {
      const int64_t in_cycle = f % ((int64_t)CYCLE_BEATS * FRAMES_PER_BEAT);
      const int cycle = (int)(f / ((int64_t)CYCLE_BEATS * FRAMES_PER_BEAT));
      for (int k = 0; k < 4; k++) {
        const uint8_t key = SCALE[(cycle + k * 2) % 8];
        if (in_cycle == (int64_t)k * FRAMES_PER_BEAT || in_cycle == (int64_t)k * FRAMES_PER_BEAT + FRAMES_PER_BEAT / 2) {
          const bool on = in_cycle == (int64_t)k * FRAMES_PER_BEAT;
          b.at[b.n_midi] = (uint32_t)(f - abs);
          b.msg[b.n_midi][0] = on ? 0x91 : 0x81;
          b.msg[b.n_midi][1] = key;
          b.msg[b.n_midi][2] = on ? 100 : 0;
          b.n_midi++;
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
    for (uint32_t k = 0; k < 16 * n; k++) sink += audio_out[k % n]; /* fixed work, about process()'s median */
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
  printf("%s %3u frames (period %.0f us): %zu blocks, median %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us; load %s -> %s\n", bench_callback_name, n, n * 1e6 / RATE,
         blocks, ns[blocks / 2] / 1e3, ns[(size_t)(blocks * 0.99)] / 1e3, ns[(size_t)(blocks * 0.999)] / 1e3, ns[blocks - 1] / 1e3, load0, load1);
  /* a long pause here too means the thread lost its core (the VM, a higher priority): not run()'s work */
  printf("  control (fixed work on the same thread, no plug-in): median %.1f us, p99.9 %.1f us, max %.1f us; steal %ld ticks; blocks over the period: %s %zu\n",
         idle[blocks / 2] / 1e3, idle[(size_t)(blocks * 0.999)] / 1e3, idle[blocks - 1] / 1e3, steal_ticks() - steal0,
         bench_callback_name, over_period(ns, blocks, (int64_t)(n * 1e9 / RATE)));
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

#endif
