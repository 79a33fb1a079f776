/* vst3_rt_host.cpp: a VST3 host of our own on the SDK's interface headers, for what minihost cannot
   show: the audio thread watched (rt_guard.h, through rt_guard_api.c) and a pluginval-like stress
   run. It loads the assembled bundle (Contents/<arch>-linux/Pianola.so), creates the component,
   queries the processor and the controller (one object), and drives process() block by block with
   a ProcessContext, note events and parameter changes of its own.
     realtime  Java up; a phrase at 120 BPM in real-time blocks paced at their duration: the answer
               starts on the bar line, and process() makes no allocation, lock, sleep or blocking call
     stress    sample rates 22.05-192 kHz (setActive off/on around setupProcessing), blocks of 1..4096
               frames, random and non-number parameter changes, transport jumps, tempi 20-300 and
               absurd contexts (1e300 BPM, NaN positions): no crash, audio bit for bit, the status
               stays OK, zero real-time violations; then state saved and restored
     bench     not a test: process() timed per 64/128/256-frame block while Java answers (the driver
               of tools/bench, bench_driver.h; `tools/bench/run vst3`), with the watch's counts
   usage: vst3_rt_host BUNDLE.vst3 realtime|stress|bench [--seconds S] [--engine 0|1|2] */
#include <dlfcn.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pluginterfaces/base/ibstream.h"
#include "pluginterfaces/base/ipluginbase.h"
#include "pluginterfaces/vst/ivstaudioprocessor.h"
#include "pluginterfaces/vst/ivstcomponent.h"
#include "pluginterfaces/vst/ivsteditcontroller.h"
#include "pluginterfaces/vst/ivstevents.h"
#include "pluginterfaces/vst/ivstparameterchanges.h"
#include "pluginterfaces/vst/ivstprocesscontext.h"
#include "pluginterfaces/vst/vstspeaker.h"

#include "answer_song.h"
#include "bench_driver.h"
#include "check.h"
#include "pn_params.h"

extern "C" {
void rtg_enter(void);
void rtg_leave(void);
unsigned rtg_total(void);
void rtg_reset(void);
void rtg_report(const char* name);
}

using namespace Steinberg;
using namespace Steinberg::Vst;

#include "pn_vst3_iids.h"

namespace {

constexpr uint32 kMaxBlock = 4096;
constexpr int kMaxEvents = 64;

/* the host's objects live on the stack or in statics: refcounting is a formality here */
#define HOST_UNKNOWN                                                                       \
  tresult PLUGIN_API queryInterface(const TUID, void** obj) override {                     \
    *obj = nullptr;                                                                        \
    return kNoInterface;                                                                   \
  }                                                                                        \
  uint32 PLUGIN_API addRef() override { return 1; }                                        \
  uint32 PLUGIN_API release() override { return 1; }

struct Events final : IEventList {
  HOST_UNKNOWN
  Event ev[kMaxEvents];
  int32 n = 0;
  bool output = false; /* the plug-in's output list: what it sent, kept for the checks */
  int64_t base = 0;
  Ev* out = nullptr;
  size_t* n_out = nullptr;
  int32 PLUGIN_API getEventCount() override { return n; }
  tresult PLUGIN_API getEvent(int32 i, Event& e) override {
    if (i < 0 || i >= n) return kInvalidArgument;
    e = ev[i];
    return kResultOk;
  }
  tresult PLUGIN_API addEvent(Event& e) override {
    if (!output) {
      if (n == kMaxEvents) return kResultFalse;
      ev[n++] = e;
      return kResultOk;
    }
    if (*n_out >= MAX_EVENTS) return kResultFalse;
    Ev x = {base + e.sampleOffset, {0, 0, 0}};
    if (e.type == Event::kNoteOnEvent) x.msg[0] = (uint8_t)(0x90 | e.noteOn.channel), x.msg[1] = (uint8_t)e.noteOn.pitch, x.msg[2] = (uint8_t)lround(e.noteOn.velocity * 127);
    else if (e.type == Event::kNoteOffEvent) x.msg[0] = (uint8_t)(0x80 | e.noteOff.channel), x.msg[1] = (uint8_t)e.noteOff.pitch;
    else return kResultOk;
    out[(*n_out)++] = x;
    return kResultOk;
  }
};

struct Queue final : IParamValueQueue {
  HOST_UNKNOWN
  ParamID id = 0;
  int32 offset = 0;
  ParamValue value = 0;
  ParamID PLUGIN_API getParameterId() override { return id; }
  int32 PLUGIN_API getPointCount() override { return 1; }
  tresult PLUGIN_API getPoint(int32 i, int32& o, ParamValue& v) override {
    if (i != 0) return kInvalidArgument;
    o = offset;
    v = value;
    return kResultOk;
  }
  tresult PLUGIN_API addPoint(int32, ParamValue, int32& index) override {
    index = 0;
    return kResultOk;
  }
};

struct Changes final : IParameterChanges {
  HOST_UNKNOWN
  Queue q[8];
  int32 n = 0;
  Queue out_q; /* the plug-in's output changes (the status): taken and ignored */
  int32 PLUGIN_API getParameterCount() override { return n; }
  IParamValueQueue* PLUGIN_API getParameterData(int32 i) override { return i >= 0 && i < n ? &q[i] : nullptr; }
  IParamValueQueue* PLUGIN_API addParameterData(const ParamID& id, int32& index) override {
    index = 0;
    out_q.id = id;
    return &out_q;
  }
};

struct Memory final : IBStream {
  HOST_UNKNOWN
  uint8 buf[4096];
  int64 len = 0, pos = 0;
  tresult PLUGIN_API read(void* b, int32 n, int32* got) override {
    if (n > len - pos) n = (int32)(len - pos);
    if (n > 3) n = 3; /* a few bytes at a time, as streams may */
    memcpy(b, buf + pos, (size_t)n);
    pos += n;
    if (got) *got = n;
    return kResultOk;
  }
  tresult PLUGIN_API write(void* b, int32 n, int32* put) override {
    if (len + n > (int64)sizeof buf) return kResultFalse;
    memcpy(buf + len, b, (size_t)n);
    len += n;
    if (put) *put = n;
    return kResultOk;
  }
  tresult PLUGIN_API seek(int64 p, int32 mode, int64* result) override {
    pos = mode == kIBSeekSet ? p : mode == kIBSeekCur ? pos + p : len + p;
    if (result) *result = pos;
    return kResultOk;
  }
  tresult PLUGIN_API tell(int64* p) override {
    *p = pos;
    return kResultOk;
  }
};

struct Plugin {
  IComponent* component = nullptr;
  IAudioProcessor* processor = nullptr;
  IEditController* controller = nullptr;
  float in_l[kMaxBlock], in_r[kMaxBlock], out_l[kMaxBlock], out_r[kMaxBlock];
  int64_t abs = 0;
  bool realtime = true;
  Ev* out = nullptr;
  size_t n_out = 0;
  long bad_audio = 0;
  double rate = 48000;
  int64_t last_ns = 0; /* the last process() call's duration */
};

IPluginFactory* factory;
TUID cid;
Events in_events, out_events;
Changes changes;

bool open_plugin(Plugin* p) {
  *p = Plugin();
  p->out = (Ev*)calloc(MAX_EVENTS, sizeof(Ev));
  p->realtime = true;
  p->rate = 48000;
  void* obj = nullptr;
  if (factory->createInstance(reinterpret_cast<FIDString>(cid), reinterpret_cast<FIDString>(IComponent::iid.toTUID()), &obj) != kResultOk) return false;
  p->component = static_cast<IComponent*>(obj);
  if (p->component->initialize(nullptr) != kResultOk) return false;
  p->component->queryInterface(IAudioProcessor::iid.toTUID(), reinterpret_cast<void**>(&p->processor));
  p->component->queryInterface(IEditController::iid.toTUID(), reinterpret_cast<void**>(&p->controller));
  return p->processor && p->controller;
}

bool start(Plugin* p, double rate, bool offline) {
  p->rate = rate;
  ProcessSetup setup = {offline ? kOffline : kRealtime, kSample32, (int32)kMaxBlock, rate};
  return p->processor->setupProcessing(setup) == kResultOk && p->component->setActive(true) == kResultOk &&
         p->processor->setProcessing(true) == kResultOk;
}

void stop(Plugin* p) {
  p->processor->setProcessing(false);
  p->component->setActive(false);
}

void close_plugin(Plugin* p) {
  if (p->component) {
    p->controller->release();
    p->processor->release();
    p->component->terminate();
    p->component->release();
  }
  free(p->out);
  p->out = nullptr;
}

double param(Plugin* p, ParamID id) { return p->controller->normalizedParamToPlain(id, p->controller->getParamNormalized(id)); }

/* one process() call of `frames` with the events and changes already queued */
void run(Plugin* p, uint32 frames, ProcessContext* ctx) {
  for (uint32 i = 0; i < frames; i++) {
    p->in_l[i] = (float)((p->abs + i) % 977) / 977.0f - 0.5f;
    p->in_r[i] = (float)((p->abs + i) % 613) / 613.0f - 0.5f;
  }
  float* ins[2] = {p->in_l, p->in_r};
  float* outs[2] = {p->out_l, p->out_r};
  AudioBusBuffers ain, aout;
  ain.numChannels = 2;
  ain.channelBuffers32 = ins;
  aout.numChannels = 2;
  aout.channelBuffers32 = outs;
  out_events.output = true;
  out_events.base = p->abs;
  out_events.out = p->out;
  out_events.n_out = &p->n_out;
  ProcessData d;
  d.processMode = p->realtime ? kRealtime : kOffline;
  d.numSamples = (int32)frames;
  d.numInputs = d.numOutputs = 1;
  d.inputs = &ain;
  d.outputs = &aout;
  d.inputParameterChanges = &changes;
  d.outputParameterChanges = &changes;
  d.inputEvents = &in_events;
  d.outputEvents = &out_events;
  d.processContext = ctx;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (p->realtime) rtg_enter();
  p->processor->process(d);
  rtg_leave();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  p->last_ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  in_events.n = 0;
  changes.n = 0;
  for (uint32 i = 0; i < frames; i++) p->bad_audio += (p->out_l[i] != p->in_l[i]) + (p->out_r[i] != p->in_r[i]);
  p->abs += frames;
}

ProcessContext context(Plugin* p, double beat, double bpm, bool playing) {
  ProcessContext c;
  memset(&c, 0, sizeof c);
  c.state = ProcessContext::kTempoValid | ProcessContext::kProjectTimeMusicValid | ProcessContext::kTimeSigValid | (playing ? ProcessContext::kPlaying : 0);
  c.sampleRate = p->rate;
  c.projectTimeSamples = (TSamples)llround(beat * 60.0 / bpm * p->rate);
  c.projectTimeMusic = beat;
  c.tempo = bpm;
  c.timeSigNumerator = 4;
  c.timeSigDenominator = 4;
  return c;
}

double wait_started(Plugin* p) {
  const double t0 = now_ms();
  while (now_ms() - t0 < 30000 && param(p, PN_PARAM_STATUS) == PN_STATUS_STARTING) {
    ProcessContext c = context(p, 0, 120, false);
    run(p, 256, &c);
    usleep(2000);
  }
  return now_ms() - t0;
}

void set_param(ParamID id, double normalized, int32 offset) {
  if (changes.n == 8) return;
  changes.q[changes.n].id = id;
  changes.q[changes.n].offset = offset;
  changes.q[changes.n].value = normalized;
  changes.n++;
}

/* a phrase at 120 BPM from the next block (blocks of 256, paced at their duration in real time);
   returns the first answer note-on's frame, and the bar line's in *bar */
int64_t answer(Plugin* p, bool paced, int64_t* bar) {
  n_segs = 0;
  song_rate = p->rate;
  song_at(p->abs, 0, 120);
  PNote notes[5];
  phrase_at(notes, 0);
  const size_t from = p->n_out;
  double next = now_ms();
  while (p->abs < at_beat(16)) {
    const Seg* s = &segs[0];
    ProcessContext c = context(p, s->beat + (double)(p->abs - s->abs) * s->bpm / 60.0 / p->rate, 120, true);
    for (int i = 0; i < 5; i++)
      for (int on = 0; on < 2; on++) {
        const int64_t f = at_beat(on ? notes[i].on : notes[i].off);
        if (f < p->abs || f >= p->abs + 256) continue;
        Event e;
        memset(&e, 0, sizeof e);
        e.sampleOffset = (int32)(f - p->abs);
        if (on) e.type = Event::kNoteOnEvent, e.noteOn = {PLAYER_CH, (int16)notes[i].key, 0, 100 / 127.0f, 0, -1};
        else e.type = Event::kNoteOffEvent, e.noteOff = {PLAYER_CH, (int16)notes[i].key, 0, -1, 0};
        in_events.addEvent(e);
      }
    run(p, 256, &c);
    if (paced) {
      next += 256 * 1000.0 / p->rate;
      const double wait = next - now_ms();
      if (wait > 0) usleep((useconds_t)(wait * 1000));
    }
  }
  *bar = at_beat(8);
  song_rate = 48000;
  for (size_t i = from; i < p->n_out; i++)
    if (is_answer_on(&p->out[i])) return p->out[i].frame;
  return -1;
}

void scenario_realtime() {
  Plugin* p = new Plugin();
  CHECK(open_plugin(p) && start(p, 48000, false), "creates and starts the plug-in (component = processor = controller)");
  const double ms = wait_started(p);
  CHECK(param(p, PN_PARAM_STATUS) == PN_STATUS_OK, "Java runs (status %g after %.0f ms)", param(p, PN_PARAM_STATUS), ms);
  set_param(PN_PARAM_LISTEN, 0.5, 0); /* MIDI only */
  rtg_reset();
  int64_t bar;
  const int64_t first = answer(p, true, &bar);
  CHECK(first == bar, "real time: the answer starts on the bar line (frame %" PRId64 ", want %" PRId64 ")", first, bar);
  rtg_report("vst3_rt_host realtime");
  CHECK(rtg_total() == 0, "real time: no allocation, lock, sleep or blocking call in process() (%u)", rtg_total());
  CHECK(p->bad_audio == 0, "audio bit for bit (%ld samples differ)", p->bad_audio);
  stop(p);
  close_plugin(p);
  delete p;
}

uint64_t rng = 0x2545F4914F6CDD1Dull;
double rnd() {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

void scenario_stress() {
  const double rates[] = {22050, 44100, 48000, 96000, 192000};
  const double absurd[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, -1, 2};
  Plugin* p = new Plugin();
  CHECK(open_plugin(p), "creates the plug-in");
  int status_bad = 0, blocks = 0;
  for (double rate : rates) {
    if (blocks) stop(p);
    CHECK(start(p, rate, false), "starts at %g Hz", rate);
    wait_started(p);
    CHECK(param(p, PN_PARAM_STATUS) == PN_STATUS_OK, "Java runs at %g Hz", rate);
    rtg_reset();
    double beat = 0, bpm = 120;
    for (int b = 0; b < 300; b++, blocks++) {
      const uint32 frames = 1 + (uint32)(rnd() * kMaxBlock);
      for (int k = 0; k < 3; k++) {
        ParamID id = (ParamID)(rnd() * PN_PARAM_COUNT);
        if (id == PN_PARAM_ENGINE || id == PN_PARAM_LISTEN || id == PN_PARAM_CAPTURE) continue; /* as the CLAP stress run */
        set_param(id, rnd() < 0.3 ? absurd[(int)(rnd() * 7)] : rnd(), (int32)(rnd() * frames));
      }
      const double u = rnd();
      if (u < 0.05) beat = rnd() * 1000;
      else if (u < 0.10) bpm = 20 + rnd() * 280;
      ProcessContext c = context(p, beat, bpm, rnd() > 0.05);
      if (u > 0.95) c.tempo = absurd[(int)(rnd() * 7)], c.projectTimeMusic = absurd[(int)(rnd() * 7)], c.timeSigDenominator = 0;
      run(p, frames, rnd() < 0.05 ? nullptr : &c);
      beat += frames * bpm / 60.0 / rate;
      status_bad += param(p, PN_PARAM_STATUS) != PN_STATUS_OK;
    }
    rtg_report("vst3_rt_host stress");
    CHECK(rtg_total() == 0, "%g Hz: 300 blocks of 1..4096 frames with nonsense, no real-time violation (%u)", rate, rtg_total());
    /* sane again: an answer on the bar line (offline, so the machine's speed does not matter) */
    for (unsigned i = 0; i < PN_PARAM_COUNT; i++)
      if (!(pn_params[i].flags & (PN_PARAM_OUTPUT | PN_PARAM_HOST))) p->controller->setParamNormalized(i, pn_param_to_normalized(i, pn_params[i].def));
    p->controller->setParamNormalized(PN_PARAM_LISTEN, 0.5);
    stop(p);
    start(p, rate, true);
    p->realtime = false;
    int64_t bar;
    const int64_t first = answer(p, false, &bar);
    CHECK(first == bar, "%g Hz after the storm: the answer starts on the bar line (frame %" PRId64 ", want %" PRId64 ")", rate, first, bar);
    stop(p);
    start(p, rate, false);
    p->realtime = true;
  }
  CHECK(status_bad == 0, "the status stayed OK through %d blocks of nonsense (%d not)", blocks, status_bad);
  CHECK(p->bad_audio == 0, "audio bit for bit through all of it (%ld samples differ)", p->bad_audio);

  /* state: saved (read back a few bytes at a time), changed, restored */
  p->controller->setParamNormalized(PN_PARAM_ANSWER_BARS, pn_param_to_normalized(PN_PARAM_ANSWER_BARS, 3));
  Memory m;
  CHECK(p->component->getState(&m) == kResultOk && m.len >= 16, "getState writes the state (%" PRId64 " bytes)", (int64_t)m.len);
  p->controller->setParamNormalized(PN_PARAM_ANSWER_BARS, pn_param_to_normalized(PN_PARAM_ANSWER_BARS, 7));
  CHECK(p->component->setState(&m) == kResultOk && param(p, PN_PARAM_ANSWER_BARS) == 3, "setState restores Answer Length 3 (%g)", param(p, PN_PARAM_ANSWER_BARS));
  Memory bad;
  bad.len = 5;
  CHECK(p->component->setState(&bad) != kResultOk && param(p, PN_PARAM_ANSWER_BARS) == 3, "a damaged state is refused and changes nothing");
  stop(p);
  close_plugin(p);
  delete p;
}

/* the bench driver's block: the host's context (120 BPM from beat 0 at abs 0) and the player's notes */
int64_t run_bench_block(void* ctx, const BenchBlock* b, uint32_t n, int64_t abs, int64_t* first_answer) {
  Plugin* p = static_cast<Plugin*>(ctx);
  ProcessContext c = context(p, (double)abs / FRAMES_PER_BEAT, 120, true);
  for (int i = 0; i < b->n_midi; i++) {
    Event e;
    memset(&e, 0, sizeof e);
    e.sampleOffset = (int32)b->at[i];
    const bool on = (b->msg[i][0] & 0xF0) == 0x90;
    if (on) e.type = Event::kNoteOnEvent, e.noteOn = {(int16)(b->msg[i][0] & 0x0F), (int16)b->msg[i][1], 0, b->msg[i][2] / 127.0f, 0, -1};
    else e.type = Event::kNoteOffEvent, e.noteOff = {(int16)(b->msg[i][0] & 0x0F), (int16)b->msg[i][1], 0, -1, 0};
    in_events.addEvent(e);
  }
  const size_t from = p->n_out;
  p->abs = abs;
  run(p, n, &c);
  if (first_answer && *first_answer < 0)
    for (size_t i = from; i < p->n_out; i++)
      if (is_answer_on(&p->out[i])) {
        *first_answer = p->out[i].frame;
        break;
      }
  if (p->n_out > MAX_EVENTS - 64) p->n_out = 0;
  return p->last_ns;
}

void scenario_bench(double seconds, int engine) {
  Plugin* p = new Plugin();
  const double t0 = now_ms();
  if (!open_plugin(p) || !start(p, 48000, false)) {
    fprintf(stderr, "vst3_rt_host bench: the plug-in does not start\n");
    return;
  }
  p->controller->setParamNormalized(PN_PARAM_LISTEN, 0.5); /* MIDI only */
  const double first_ms = wait_started(p);
  printf("JVM start: running %.0f ms after creation (status %g)\n", now_ms() - t0, param(p, PN_PARAM_STATUS));
  (void)first_ms;
  p->controller->setParamNormalized(PN_PARAM_ENGINE, pn_param_to_normalized(PN_PARAM_ENGINE, engine));
  p->controller->setParamNormalized(PN_PARAM_ANSWER_BARS, pn_param_to_normalized(PN_PARAM_ANSWER_BARS, 1));
  p->controller->setParamNormalized(PN_PARAM_SILENCE_BEATS, pn_param_to_normalized(PN_PARAM_SILENCE_BEATS, 1));
  p->controller->setParamNormalized(PN_PARAM_START_ON, pn_param_to_normalized(PN_PARAM_START_ON, 1));
  for (double w = now_ms(); now_ms() - w < 5000;) {
    ProcessContext c = context(p, 0, 120, false);
    run(p, 256, &c);
    usleep(5333);
  }
  struct sched_param sp = {};
  sp.sched_priority = 70; /* as a DAW's audio thread, when allowed */
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  printf("VST3, engine %d (0 Continuator, 1 REMI, 2 Perceiver AR), 48 kHz, 120 BPM, %.0f s per block size, audio thread %s\n", engine, seconds,
         fifo ? "SCHED_FIFO 70" : "SCHED_OTHER (no permission for SCHED_FIFO)");
  rtg_reset();
  for (uint32_t n : {64u, 128u, 256u}) bench_block_size(p, run_bench_block, p->out_l, n, seconds);
  rtg_report("vst3_rt_host bench");
  sp.sched_priority = 0;
  sched_setscheduler(0, SCHED_OTHER, &sp);
  stop(p);
  close_plugin(p);
  delete p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: vst3_rt_host BUNDLE.vst3 realtime|stress\n");
    return 2;
  }
  char so[4096];
  snprintf(so, sizeof so, "%s/Contents/x86_64-linux/Pianola.so", argv[1]);
  void* lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  CHECK(lib != nullptr, "dlopen %s: %s", so, lib ? "" : dlerror());
  if (!lib) return check_summary("vst3_rt_host");
  auto entry = reinterpret_cast<bool (*)(void*)>(dlsym(lib, "ModuleEntry"));
  auto get = reinterpret_cast<IPluginFactory* (*)()>(dlsym(lib, "GetPluginFactory"));
  CHECK(entry && get && entry(lib), "ModuleEntry and GetPluginFactory");
  factory = get ? get() : nullptr;
  PClassInfo info;
  CHECK(factory && factory->countClasses() == 1 && factory->getClassInfo(0, &info) == kResultOk && !strcmp(info.name, "Pianola"), "the factory offers Pianola");
  if (!factory) return check_summary("vst3_rt_host");
  memcpy(cid, info.cid, sizeof cid);
  if (!strcmp(argv[2], "realtime")) scenario_realtime();
  else if (!strcmp(argv[2], "stress")) scenario_stress();
  else if (!strcmp(argv[2], "bench")) {
    double seconds = 30;
    int engine = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
      if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
      else if (!strcmp(argv[i], "--engine")) engine = atoi(argv[i + 1]);
    }
    scenario_bench(seconds, engine);
    return 0; /* a benchmark: figures, no verdict */
  }
  else CHECK(0, "unknown scenario %s", argv[2]);
  auto exit_fn = reinterpret_cast<bool (*)()>(dlsym(lib, "ModuleExit"));
  if (exit_fn) exit_fn();
  char name[64];
  snprintf(name, sizeof name, "vst3_rt_host %s", argv[2]);
  return check_summary(name);
}
