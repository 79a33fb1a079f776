/* clap_run_bench.c: the assembled CLAP plug-in (plugin/target/clap/Pianola/Pianola.clap) in our CLAP
   host (tests/native/clap_host_lib.h) with its JVM inside, measured as lv2_run_bench.c measures the
   LV2 one (the same driver, bench_driver.h): JVM start for the first instance and the next,
   process() per 64/128/256-frame block (median, p99, p99.9, max) paced in real time while Java
   answers a phrase every 3 bars, phrase end -> first answering note; and what process() did that
   real-time code must not (rt_guard.h). A benchmark, not a test: it prints figures and exits 0
   whatever they are (1 only if the plug-in cannot be run). Run through `tools/bench/run clap`.
   usage: clap_run_bench PATH/Pianola.clap [--seconds S] [--engine 0|1|2] [--blocks 64,128,256] [--warmup S] */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>

#include "answer_song.h"
#include "rt_guard.h"
#include "clap_host_lib.h"
#include "bench_driver.h"

static int64_t run_clap_block(void* ctx, const BenchBlock* b, uint32_t n, int64_t abs, int64_t* first_answer) {
  Inst* x = (Inst*)ctx;
  /* the host's transport in every block, as CLAP hosts send it: 120 BPM from beat 0 at abs 0 */
  const clap_event_transport_t t = transport_at(0, (double)abs / FRAMES_PER_BEAT, 120, true);
  for (int i = 0; i < b->n_midi; i++) {
    AnyEvent e = {.midi = {{sizeof(clap_event_midi_t), b->at[i], CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI, 0}, 0,
                           {b->msg[i][0], b->msg[i][1], b->msg[i][2]}}};
    add_in(&e);
  }
  const size_t from = x->n_out;
  x->abs = abs;
  run_frames(x, &t, n);
  if (first_answer && *first_answer < 0)
    for (size_t i = from; i < x->n_out; i++)
      if (is_answer_on(&x->out[i])) {
        *first_answer = x->out[i].frame;
        break;
      }
  if (x->n_out > MAX_EVENTS - 64) x->n_out = 0; /* only the newest answers matter here */
  return x->last_ns;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: clap_run_bench PATH/Pianola.clap [--seconds S] [--engine 0|1|2] [--blocks 64,128,256] [--warmup S]\n");
    return 2;
  }
  double seconds = 30, warmup_s = 5;
  int engine = 0;
  const char* sizes = "64,128,256";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--engine")) engine = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--blocks")) sizes = argv[i + 1];
    else if (!strcmp(argv[i], "--warmup")) warmup_s = atof(argv[i + 1]);
    else {
      fprintf(stderr, "clap_run_bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  main_thread = pthread_self();
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  entry = lib ? (const clap_plugin_entry_t*)dlsym(lib, "clap_entry") : NULL;
  if (!entry || !entry->init(argv[1]) || !(factory = (const clap_plugin_factory_t*)entry->get_factory(CLAP_PLUGIN_FACTORY_ID))) {
    fprintf(stderr, "clap_run_bench: cannot load %s: %s\n", argv[1], lib ? "no CLAP entry" : dlerror());
    return 1;
  }

  /* JVM start: activate to status 0, the first instance (starts the JVM) and the next (joins it) */
  static Inst a, second;
  double t0 = now_ms();
  if (!open_inst(&a, "dev.pianola.pianola")) return 1;
  flush_param(&a, PN_PARAM_LISTEN, 1); /* MIDI only from the start: the test ramp on the audio input is not to be covered */
  if (!a.p->activate(a.p, RATE, 1, MAX_BLOCK) || !a.p->start_processing(a.p)) return 1;
  const double first_ms = wait_started(&a, 60000);
  t0 = now_ms();
  open_inst(&second, "dev.pianola.pianola");
  flush_param(&second, PN_PARAM_LISTEN, 1);
  second.p->activate(second.p, RATE, 1, MAX_BLOCK);
  second.p->start_processing(second.p);
  const double second_ms = wait_started(&second, 60000);
  (void)t0;
  printf("JVM start: first instance running %.0f ms after activate (status %g); the next %.1f ms (status %g)\n", first_ms, param(&a, PN_PARAM_STATUS),
         second_ms, param(&second, PN_PARAM_STATUS));
  close_inst(&second);
  if (param(&a, PN_PARAM_STATUS) != PN_STATUS_OK) {
    fprintf(stderr, "clap_run_bench: the Java side is not running\n");
    return 1;
  }
  /* quick answers on the beat, live, MIDI only */
  flush_param(&a, PN_PARAM_ENGINE, engine);
  flush_param(&a, PN_PARAM_ANSWER_BARS, 1);
  flush_param(&a, PN_PARAM_SILENCE_BEATS, 1);
  flush_param(&a, PN_PARAM_START_ON, 1);
  flush_param(&a, PN_PARAM_LISTEN, 1);
  a.render->set(a.p, CLAP_RENDER_REALTIME);
  for (double t1 = now_ms(); now_ms() - t1 < warmup_s * 1000;) {
    run_block(&a, NULL);
    usleep((useconds_t)(BLOCK * 1e6 / RATE));
  }
  if (param(&a, PN_PARAM_STATUS) != PN_STATUS_OK) {
    fprintf(stderr, "clap_run_bench: engine %d did not start (see the log above)\n", engine);
    return 1;
  }
  struct sched_param sp = {.sched_priority = 70};
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  printf("CLAP, engine %d (0 Continuator, 1 REMI, 2 Perceiver AR), 48 kHz, 120 BPM, %.0f s per block size, audio thread %s\n", engine, seconds,
         fifo ? "SCHED_FIFO 70" : "SCHED_OTHER (no permission for SCHED_FIFO)");
  rt_reset();
  for (const char* s = sizes; *s;) {
    const uint32_t n = (uint32_t)strtoul(s, NULL, 10);
    if (n >= 1 && n <= MAX_BLOCK) bench_block_size(&a, run_clap_block, a.out_l, n, seconds);
    s = strchr(s, ',');
    if (!s) break;
    s++;
  }
  rt_report("clap_run_bench");
  sp.sched_priority = 0;
  sched_setscheduler(0, SCHED_OTHER, &sp);
  close_inst(&a);
  return 0;
}
