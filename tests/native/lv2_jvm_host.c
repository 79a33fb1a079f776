/* lv2_jvm_host.c: a lilv host for the ASSEMBLED bundle (plugin/target/pianola.lv2) with the real
   JVM inside. One scenario per process (a process holds one JVM for good, so each failure needs its
   own), chosen by argv[1]:
     answer       the live player: phrases and time:Position at exact frames at 120 BPM; the answer
                  starts on the bar line the parameters give, every note-on on the exact frame its
                  beat (as Java sent it, PIANOLA_NOTE_LOG) maps to under the block's transport; a
                  tempo change to 90 BPM; a loop jump mid-answer (notes released at the jump frame,
                  nothing stale after it); barge-in (answer notes end at the key's frame, no new
                  ones past the session's one-bar horizon); then a real-time-paced answer.
                  Offline sections run freewheeling: run() waits for Java, the offline path.
     presets      the bundle's pset:Presets, loaded by lilv (lilv_state_new_from_world): every one
                  names its label and sets only known controls within their ranges; "Quick answers"
                  applied to a running instance (lilv_state_restore) makes Java answer one bar on
                  the next beat after one beat of silence (start_on, answer_bars, silence_beats
                  reached Java), then "Call and response" brings back two bars on the next bar line.
     many         16 instances share one JVM and each answers; then 100 instantiate/cleanup cycles
                  with RSS reported and bounded.
     unavailable  no JRE (PIANOLA_JAVA_HOME points nowhere): status 2, audio and MIDI pass.
     badjvm       a JVM that cannot start (PIANOLA_JVM_OPTIONS=-Xmx1k): status 3, host survives.
     nolib        a bundle without lib/: status 3, host survives.
     absurd       a time:Position at 1e30 BPM and beat 1e30, NaN and infinite controls: the status stays
                  OK and a phrase afterwards is answered on its bar line, on exact frames.
     javaerror    an engine whose model package is missing: status 3, audio passes; choosing the
                  Continuator again recovers (status 0).
     compose      the Compose engine with the tiny MusicGen package (PIANOLA_MODELS: a store holding
                  it and Basic Pitch): the prompt by patch:Set, the compose control pressed at beat
                  2; the piece (Answer Length: 1 bar) plays within one bar from a bar line after the
                  press, every note-on on the exact frame of the beat Java sent.
   The host drives the plug-in like a DAW: run() on this thread, block after block. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <jni.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/presets/presets.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>

#include "check.h"
#include "host_log.h"
#include "host_uris.h"
#include "pianola_ports.h"
#include "test_urid.h"
#include "answer_song.h"
#include "rt_guard.h"

#define BLOCK 256u
#define IN_CAP 4096
#define OUT_CAP 16384

static TestUrids urids;
static LV2_URID_Map map = {&urids, test_urid_map};
static LV2_URID_Unmap unmap = {&urids, test_urid_unmap};


/* One plug-in instance and what it sent. */
typedef struct {
  LilvInstance* inst;
  float audio_in[BLOCK], audio_out[BLOCK];
  uint64_t in_buf[IN_CAP / 8], out_buf[OUT_CAP / 8];
  float controls[N_PORTS];
  int64_t abs;  /* frames run */
  int64_t host; /* the host's timeline frame (time:frame) */
  Ev* out;
  size_t n_out;
  int bad_audio;
} Inst;

/* What the host puts in the next block. */
typedef struct {
  bool has_pos;
  uint32_t pos_at;
  int64_t pos_frame;
  double pos_beat, pos_bpm;
  bool rolling;
  int n_midi;
  uint32_t midi_at[8];
  uint8_t midi[8][3];
} BlockIn;

static const LilvPlugin* plugin;
static LV2_Feature map_f = {LV2_URID__map, &map}, unmap_f = {LV2_URID__unmap, &unmap}, log_f = {LV2_LOG__log, &host_log};
static const LV2_Feature* features[] = {&map_f, &unmap_f, &log_f, NULL};

static bool open_inst(Inst* x) {
  memset(x, 0, sizeof *x);
  x->out = (Ev*)calloc(MAX_EVENTS, sizeof(Ev));
  x->inst = lilv_plugin_instantiate(plugin, RATE, features);
  if (!x->inst) return false;
  float mins[N_PORTS], maxs[N_PORTS], defs[N_PORTS];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) x->controls[p] = isnan(defs[p]) ? 0.0f : defs[p];
  x->controls[P_LISTEN] = 1.0f; /* MIDI only: the test tone on the audio input is not to be covered */
  lilv_instance_connect_port(x->inst, P_IN, x->audio_in);
  lilv_instance_connect_port(x->inst, P_OUT, x->audio_out);
  lilv_instance_connect_port(x->inst, P_EVENTS, x->in_buf);
  lilv_instance_connect_port(x->inst, P_MIDI_OUT, x->out_buf);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) lilv_instance_connect_port(x->inst, p, &x->controls[p]);
  lilv_instance_activate(x->inst);
  return true;
}

static void close_inst(Inst* x) {
  if (x->inst) {
    lilv_instance_deactivate(x->inst);
    lilv_instance_free(x->inst);
  }
  x->inst = NULL;
  free(x->out);
  x->out = NULL;
}

/* A prompt to set (patch:Set on events_in) at the start of the next block; NULL: none. */
static const char* send_prompt;

/* One run(): forge the input, run, check audio passed, keep the output events. */
static void run_block(Inst* x, const BlockIn* b) {
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, (uint8_t*)x->in_buf, IN_CAP);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(&forge, &seq, 0);
  if (send_prompt) {
    LV2_Atom_Forge_Frame obj;
    lv2_atom_forge_frame_time(&forge, 0);
    lv2_atom_forge_object(&forge, &obj, 0, map.map(map.handle, LV2_PATCH__Set));
    lv2_atom_forge_key(&forge, map.map(map.handle, LV2_PATCH__property));
    lv2_atom_forge_urid(&forge, map.map(map.handle, PIANOLA_LV2_PROMPT_URI));
    lv2_atom_forge_key(&forge, map.map(map.handle, LV2_PATCH__value));
    lv2_atom_forge_string(&forge, send_prompt, (uint32_t)strlen(send_prompt));
    lv2_atom_forge_pop(&forge, &obj);
    send_prompt = NULL;
  }
  int m = 0;
  for (uint32_t t = 0; t <= BLOCK; t++) { /* events in time order; a Position before MIDI at the same frame */
    if (b && b->has_pos && b->pos_at == t) {
      forge_position_4_4(&forge, t, b->pos_frame, b->rolling ? 1.0f : 0.0f, b->pos_beat, b->pos_bpm, 0);
    }
    while (b && m < b->n_midi && b->midi_at[m] == t) {
      lv2_atom_forge_frame_time(&forge, t);
      lv2_atom_forge_atom(&forge, 3, u_midi);
      lv2_atom_forge_write(&forge, b->midi[m], 3);
      m++;
    }
  }
  lv2_atom_forge_pop(&forge, &seq);
  LV2_Atom_Sequence* out = (LV2_Atom_Sequence*)x->out_buf;
  out->atom.type = u_chunk;
  out->atom.size = OUT_CAP - sizeof(LV2_Atom);
  for (uint32_t i = 0; i < BLOCK; i++) x->audio_in[i] = (float)((x->abs + i) % 977) / 977.0f - 0.5f;
  const bool realtime = x->controls[P_FREEWHEEL] < 0.5f;
  if (realtime) rt_enter();
  lilv_instance_run(x->inst, BLOCK);
  rt_leave();
  for (uint32_t i = 0; i < BLOCK; i++) x->bad_audio += x->audio_out[i] != x->audio_in[i];
  if (out->atom.type == u_sequence) {
    LV2_ATOM_SEQUENCE_FOREACH (out, ev) {
      if (ev->body.type != u_midi || x->n_out >= MAX_EVENTS) continue;
      Ev e = {x->abs + ev->time.frames, {0, 0, 0}};
      memcpy(e.msg, ev + 1, ev->body.size < 3 ? ev->body.size : 3);
      x->out[x->n_out++] = e;
    }
  }
  x->abs += BLOCK;
  if (b && b->rolling) x->host += BLOCK;
}

static int status_of(const Inst* x) { return (int)x->controls[P_STATUS]; }

/* Runs stopped blocks until the status leaves 1 (starting); returns the ms it took. */
static double wait_started(Inst* x, double timeout_ms) {
  const double t0 = now_ms();
  while (now_ms() - t0 < timeout_ms) {
    run_block(x, NULL);
    if (status_of(x) != 1) break;
    usleep(2000);
  }
  return now_ms() - t0;
}

/* Runs blocks up to absolute frame `until`, placing the player's notes (channel 2) at their frames.
   notes: pairs (beat on, beat off, key). Positions come from `pending`, consumed when reached. */
static BlockIn pending_pos; /* a Position to send at its absolute frame */
static int64_t pending_pos_abs = -1;
static double pace_ms; /* > 0: real-time pacing, this long per block */

static void play(Inst* x, const PNote* notes, int n, int64_t until) {
  double next = now_ms();
  while (x->abs < until) {
    BlockIn b = {.rolling = true};
    if (pending_pos_abs >= x->abs && pending_pos_abs < x->abs + BLOCK) {
      b = pending_pos;
      b.has_pos = true;
      b.pos_at = (uint32_t)(pending_pos_abs - x->abs);
      b.pos_frame = x->host + b.pos_at;
      if (pending_pos.pos_frame != 0) b.pos_frame = pending_pos.pos_frame; /* a jump: the host's new frame */
      pending_pos_abs = -1;
    }
    for (int i = 0; i < n; i++) {
      const int64_t fon = at_beat(notes[i].on), foff = at_beat(notes[i].off);
      if (fon >= x->abs && fon < x->abs + BLOCK && b.n_midi < 8) {
        b.midi_at[b.n_midi] = (uint32_t)(fon - x->abs);
        memcpy(b.midi[b.n_midi++], (uint8_t[]){0x90 | PLAYER_CH, notes[i].key, 100}, 3);
      }
      if (foff >= x->abs && foff < x->abs + BLOCK && b.n_midi < 8) {
        b.midi_at[b.n_midi] = (uint32_t)(foff - x->abs);
        memcpy(b.midi[b.n_midi++], (uint8_t[]){0x80 | PLAYER_CH, notes[i].key, 0}, 3);
      }
    }
    /* sort the MIDI by offset (a few entries) */
    for (int i = 1; i < b.n_midi; i++)
      for (int k = i; k > 0 && b.midi_at[k] < b.midi_at[k - 1]; k--) {
        const uint32_t t = b.midi_at[k];
        b.midi_at[k] = b.midi_at[k - 1];
        b.midi_at[k - 1] = t;
        uint8_t m[3];
        memcpy(m, b.midi[k], 3);
        memcpy(b.midi[k], b.midi[k - 1], 3);
        memcpy(b.midi[k - 1], m, 3);
      }
    run_block(x, &b);
    if (pace_ms > 0) {
      next += pace_ms;
      const double wait = next - now_ms();
      if (wait > 0) usleep((useconds_t)(wait * 1000));
    }
  }
}

/* ---- scenarios ---- */

static void scenario_answer(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  const double t0 = now_ms();
  CHECK(open_inst(x), "instantiates the bundle");
  const double started = wait_started(x, 30000);
  CHECK(status_of(x) == 0, "status 0 (Java running) after %.0f ms (got %d)", started, status_of(x));
  printf("answer: JVM up and instance running %.0f ms after instantiate\n", now_ms() - t0);
  x->controls[P_FREEWHEEL] = 1.0f; /* offline: run() waits for Java each block */

  /* 1. 120 BPM from beat 0 at the next block; phrase on beats 0-4, released 4.5; 2 beats of
        silence end it at 6.5, so the answer (2 bars) starts on the next bar line: beat 8 */
  x->host = 0;
  song_at(x->abs, 0, 120);
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 0, .pos_bpm = 120};
  pending_pos_abs = x->abs;
  PNote p[5];
  phrase_at(p, 0);
  play(x, p, 5, at_beat(20));
  read_note_log(1);
  int64_t first;
  int off;
  Seg s1 = segs[n_segs - 1];
  int n = answer_ons(x->out, x->n_out, s1.abs, at_beat(20), &s1, &first, &off);
  const int64_t first120 = first;
  CHECK(n >= 3, "120 BPM: an answer came (%d note-ons)", n);
  CHECK(first == at_beat(8), "120 BPM: it starts on the bar line, beat 8 = frame %" PRId64 " (got %" PRId64 ")", at_beat(8) - s1.abs,
        first - s1.abs);
  CHECK(answer_ons(x->out, x->n_out, s1.abs, at_beat(8), &s1, &first, NULL) == 0, "120 BPM: nothing answers before the bar line");
  CHECK(answer_ons(x->out, x->n_out, at_beat(16), at_beat(20), &s1, &first, NULL) == 0, "120 BPM: the answer lasts 2 bars");
  CHECK(off == 0, "120 BPM: every note-on on the exact frame of its beat (%d not)", off);
  printf("answer: 120 BPM answer of %d notes from frame %" PRId64 " (beat 8)\n", n, first120 - s1.abs);

  /* 2. tempo change to 90 BPM at beat 20 (continuous): phrase on 24-28, answer from beat 32 */
  const int64_t change = x->abs + 100; /* mid-block */
  const double change_beat = s1.beat + (double)(change - s1.abs) / 24000.0;
  pending_pos = (BlockIn){.rolling = true, .pos_beat = change_beat, .pos_bpm = 90};
  pending_pos_abs = change;
  song_at(change, change_beat, 90);
  phrase_at(p, 24);
  play(x, p, 5, at_beat(42));
  read_note_log(1);
  Seg s2 = segs[n_segs - 1];
  n = answer_ons(x->out, x->n_out, change, at_beat(42), &s2, &first, &off);
  CHECK(n >= 3, "90 BPM: an answer came (%d note-ons)", n);
  CHECK(first == at_beat(32), "90 BPM: it starts on beat 32 = frame %" PRId64 " (got %" PRId64 ")", at_beat(32), first);
  CHECK(off == 0, "90 BPM: every note-on on the exact frame of its beat under the new tempo (%d not)", off);

  /* 3. loop jump back to beat 44 while the answer to a phrase on 44-48 sounds (answer from 52) */
  phrase_at(p, 44);
  play(x, p, 5, at_beat(54.25));
  const int64_t jump = x->abs + 37; /* mid-block */
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 44, .pos_bpm = 90, .pos_frame = 5000000}; /* the host's loop start */
  pending_pos_abs = jump;
  play(x, NULL, 0, x->abs + BLOCK);
  int sounding, released;
  released_at(x->out, x->n_out, jump, &sounding, &released);
  CHECK(sounding >= 1 && released == sounding, "loop: the %d sounding answer notes end exactly at the jump frame (%d did)", sounding, released);
  song_at(jump, 44, 90);
  x->host = 5000000 + (x->abs - jump);
  play(x, NULL, 0, at_beat(52));
  Seg s3 = segs[n_segs - 1];
  CHECK(answer_ons(x->out, x->n_out, jump, at_beat(52), &s3, &first, NULL) == 0, "loop: nothing planned for the old position plays after the jump");

  /* 4. barge-in: the answer to a phrase on 52-56 starts on beat 60; the player plays at 61.25 and
        holds the key to 66.5, so the next answer (to that key) is not due before beat 72 */
  phrase_at(p, 52);
  PNote all[6];
  memcpy(all, p, sizeof p);
  all[5] = (PNote){61.25, 66.5, 72}; /* held: the session answers this new phrase only from beat 72 */
  play(x, all, 6, at_beat(70));
  read_note_log(1);
  const int64_t barge = at_beat(61.25);
  released_at(x->out, x->n_out, barge, &sounding, &released);
  CHECK(answer_ons(x->out, x->n_out, at_beat(60), barge, &s3, &first, NULL) >= 1, "barge-in: the answer had started");
  CHECK(sounding >= 1 && released == sounding, "barge-in: the %d sounding answer notes end at the key's frame (%d did)", sounding, released);
  /* the session's horizon: what was handed out (up to a bar past the block) may still start */
  const int64_t horizon = at_beat(61.25 + 4) + 2 * BLOCK;
  CHECK(answer_ons(x->out, x->n_out, horizon, at_beat(70), &s3, &first, NULL) == 0, "barge-in: no answer note starts past the one-bar horizon");
  int hanging = 0, on[128] = {0};
  for (size_t i = 0; i < x->n_out; i++) {
    if (is_answer_on(&x->out[i])) on[x->out[i].msg[1]]++;
    else if (is_answer_off(&x->out[i]) && on[x->out[i].msg[1]] > 0) on[x->out[i].msg[1]]--;
  }
  for (int k = 0; k < 128; k++) hanging += on[k];
  CHECK(hanging == 0, "no answer note is left hanging (%d)", hanging);

  /* 5. real time: freewheel off, blocks paced at 5.33 ms; jump to beat 100 and answer again */
  x->controls[P_FREEWHEEL] = 0.0f;
  pace_ms = BLOCK * 1000.0 / RATE;
  rt_reset();
  const int64_t rt = x->abs;
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 100, .pos_bpm = 120, .pos_frame = 9000000};
  pending_pos_abs = rt;
  song_at(rt, 100, 120);
  x->host = 9000000;
  phrase_at(p, 101);
  play(x, p, 5, at_beat(113));
  read_note_log(1);
  Seg s4 = segs[n_segs - 1];
  n = answer_ons(x->out, x->n_out, rt, at_beat(113), &s4, &first, &off);
  CHECK(n >= 1 && first == at_beat(108), "real time: the answer starts on beat 108 (%d notes, first at %" PRId64 ", want %" PRId64 ")", n, first,
        at_beat(108));
  CHECK(off == 0, "real time: every note-on on its exact frame (%d not)", off);
  pace_ms = 0;
  rt_report("lv2_jvm_host answer");
  CHECK(rt_total() == 0, "real time: no allocation, lock, sleep or blocking call in run() while Java answered (%u)", rt_total());
  CHECK(x->bad_audio == 0, "audio passed bit for bit in every block (%d samples differ)", x->bad_audio);
  close_inst(x);
  free(x);
  CHECK(1, "cleanup returned");
}

/* ---- presets (pset:Preset in the bundle, applied through lilv's state API like a host does) ---- */

static LilvWorld* world;

/* lilv_state_restore's port callback: the value goes to the control of that symbol. */
typedef struct {
  Inst* x;
  int set, unknown, out_of_range;
  bool saw[N_PORTS];
} Applied;

static void set_port(const char* symbol, void* data, const void* value, uint32_t size, uint32_t type) {
  Applied* a = (Applied*)data;
  LilvNode* sym = lilv_new_string(world, symbol);
  const LilvPort* port = lilv_plugin_get_port_by_symbol(plugin, sym);
  lilv_node_free(sym);
  const uint32_t index = port ? lilv_port_get_index(plugin, port) : N_PORTS;
  float v = NAN;
  if (type == map.map(map.handle, LV2_ATOM__Float) && size == sizeof(float)) v = *(const float*)value;
  else if (type == map.map(map.handle, LV2_ATOM__Double) && size == sizeof(double)) v = (float)*(const double*)value;
  else if (type == map.map(map.handle, LV2_ATOM__Int) && size == sizeof(int32_t)) v = (float)*(const int32_t*)value;
  if (index < 4 || index >= N_PORTS || index == P_LATENCY || index == P_STATUS || isnan(v)) {
    fprintf(stderr, "  preset sets '%s', which is not a control input (or its value is not a number)\n", symbol);
    a->unknown++;
    return;
  }
  float mins[N_PORTS], maxs[N_PORTS];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, NULL);
  if (!(v >= mins[index] && v <= maxs[index])) {
    fprintf(stderr, "  preset sets %s = %g, outside %g..%g\n", symbol, v, mins[index], maxs[index]);
    a->out_of_range++;
  }
  a->saw[index] = true;
  a->set++;
  if (a->x) a->x->controls[index] = v;
}

/* The preset of that label among the plug-in's related pset:Presets (NULL if none). */
static LilvState* preset_named(const char* label) {
  LilvNode* pset = lilv_new_uri(world, LV2_PRESETS__Preset);
  LilvNodes* related = lilv_plugin_get_related(plugin, pset);
  LilvState* found = NULL;
  LILV_FOREACH (nodes, i, related) {
    const LilvNode* uri = lilv_nodes_get(related, i);
    lilv_world_load_resource(world, uri);
    LilvState* st = lilv_state_new_from_world(world, &map, uri);
    if (st && !found && lilv_state_get_label(st) && !strcmp(lilv_state_get_label(st), label)) found = st;
    else if (st) lilv_state_free(st);
  }
  lilv_nodes_free(related);
  lilv_node_free(pset);
  return found;
}

static void scenario_presets(void) {
  /* 1. the declaration: every preset loads, is labelled, sets each user control within range */
  static const char* const LABELS[] = {"Call and response", "Quick answers", "Every bar", "Follow me", "Adventurous", "GPT-2 (REMI)", "Perceiver AR"};
  enum { N_LABELS = sizeof LABELS / sizeof LABELS[0] };
  LilvNode* pset = lilv_new_uri(world, LV2_PRESETS__Preset);
  LilvNodes* related = lilv_plugin_get_related(plugin, pset);
  CHECK(lilv_nodes_size(related) == N_LABELS, "the bundle lists %d presets (got %u)", N_LABELS, lilv_nodes_size(related));
  int found[N_LABELS] = {0};
  LILV_FOREACH (nodes, i, related) {
    const LilvNode* uri = lilv_nodes_get(related, i);
    lilv_world_load_resource(world, uri);
    LilvState* st = lilv_state_new_from_world(world, &map, uri);
    CHECK(st != NULL, "preset %s loads", lilv_node_as_uri(uri));
    if (!st) continue;
    const char* label = lilv_state_get_label(st);
    for (int k = 0; k < N_LABELS; k++) found[k] += label && !strcmp(label, LABELS[k]);
    Applied a = {0};
    lilv_state_restore(st, NULL, set_port, &a, 0, NULL);
    int user_controls = 0;
    for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) user_controls += a.saw[p];
    /* the user's controls: ports 4-15 less latency and status (outputs) and free_wheeling (the host's) */
    CHECK(a.unknown == 0 && a.out_of_range == 0 && user_controls == 9 && !a.saw[P_FREEWHEEL],
          "preset '%s': %d controls set, all known and in range (%d unknown, %d out of range)", label ? label : "?", user_controls, a.unknown,
          a.out_of_range);
    lilv_state_free(st);
  }
  for (int k = 0; k < N_LABELS; k++) CHECK(found[k] == 1, "preset '%s' present once (%d)", LABELS[k], found[k]);
  lilv_nodes_free(related);
  lilv_node_free(pset);

  /* 2. applied to a running instance: "Quick answers" (1 bar, after 1 beat, on the beat). Phrase on
        beats 0-4, released at 4.5; one beat of silence ends it at 5.5: the answer starts on beat 6
        (the default would wait for beat 8) and lasts one bar, to beat 10. */
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x), "presets: instantiates");
  wait_started(x, 30000);
  CHECK(status_of(x) == 0, "presets: status 0 (got %d)", status_of(x));
  LilvState* quick = preset_named("Quick answers");
  CHECK(quick != NULL, "presets: 'Quick answers' found by label");
  if (!quick) {
    close_inst(x);
    free(x);
    return;
  }
  Applied a = {.x = x};
  lilv_state_restore(quick, x->inst, set_port, &a, 0, NULL);
  lilv_state_free(quick);
  CHECK(x->controls[P_START_ON] == 1.0f, "presets: 'Quick answers' sets start_on to next beat (%g)", x->controls[P_START_ON]);
  x->controls[P_FREEWHEEL] = 1.0f; /* offline: deterministic, run() waits for Java */
  x->host = 0;
  song_at(x->abs, 0, 120);
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 0, .pos_bpm = 120};
  pending_pos_abs = x->abs;
  PNote p[5];
  phrase_at(p, 0);
  play(x, p, 5, at_beat(16));
  read_note_log(1);
  Seg s = segs[n_segs - 1];
  int64_t first;
  int off;
  int n = answer_ons(x->out, x->n_out, s.abs, at_beat(16), &s, &first, &off);
  CHECK(n >= 1 && first == at_beat(6), "Quick answers: the answer starts on the next beat, beat 6 (%d notes, first at beat %.3f)", n,
        first < 0 ? -1.0 : (double)(first - s.abs) / 24000.0);
  CHECK(answer_ons(x->out, x->n_out, at_beat(10), at_beat(16), &s, &first, NULL) == 0, "Quick answers: it lasts one bar (nothing from beat 10)");
  CHECK(off == 0, "Quick answers: every note-on on the exact frame of its beat (%d not)", off);

  /* 3. "Call and response" on the same instance: a phrase on 20-24 is answered from the bar line
        at beat 28 for two bars (to 36) */
  LilvState* call = preset_named("Call and response");
  CHECK(call != NULL, "presets: 'Call and response' found by label");
  if (call) {
    Applied b = {.x = x};
    lilv_state_restore(call, x->inst, set_port, &b, 0, NULL);
    lilv_state_free(call);
  }
  phrase_at(p, 20);
  play(x, p, 5, at_beat(40));
  read_note_log(1);
  n = answer_ons(x->out, x->n_out, at_beat(20), at_beat(40), &s, &first, &off);
  CHECK(n >= 1 && first == at_beat(28), "Call and response: the answer starts on the bar line, beat 28 (%d notes, first at beat %.3f)", n,
        first < 0 ? -1.0 : (double)(first - s.abs) / 24000.0);
  CHECK(answer_ons(x->out, x->n_out, at_beat(32), at_beat(36), &s, &first, NULL) >= 1 && answer_ons(x->out, x->n_out, at_beat(36), at_beat(40), &s, &first, NULL) == 0,
        "Call and response: it lasts two bars (notes in the second, none after)");
  CHECK(off == 0, "Call and response: every note-on on its exact frame (%d not)", off);
  CHECK(x->bad_audio == 0, "presets: audio passed (%d samples differ)", x->bad_audio);
  close_inst(x);
  free(x);
}

/* The VMs in this process, asked of the libjvm already loaded (never loads one). */
static int vms_in_process(void) {
  void* lib = dlopen("libjvm.so", RTLD_NOW | RTLD_NOLOAD);
  if (!lib) return 0;
  jint(JNICALL * created)(JavaVM**, jsize, jsize*) = (jint(JNICALL*)(JavaVM**, jsize, jsize*))dlsym(lib, "JNI_GetCreatedJavaVMs");
  JavaVM* vms[4];
  jsize n = 0;
  if (!created || created(vms, 4, &n) != JNI_OK) n = -1;
  dlclose(lib);
  return (int)n;
}

static void scenario_many(void) {
  enum { N = 16 };
  Inst* xs = (Inst*)calloc(N, sizeof(Inst));
  double t0 = now_ms();
  CHECK(open_inst(&xs[0]), "first instance");
  wait_started(&xs[0], 30000);
  const double first_ms = now_ms() - t0;
  t0 = now_ms();
  int opened = 1;
  for (int i = 1; i < N; i++) opened += open_inst(&xs[i]);
  bool all_up = false;
  while (!all_up && now_ms() - t0 < 30000) {
    all_up = true;
    for (int i = 1; i < N; i++) {
      run_block(&xs[i], NULL);
      all_up &= status_of(&xs[i]) == 0;
    }
    if (!all_up) usleep(1000);
  }
  const double rest_ms = now_ms() - t0;
  CHECK(opened == N && all_up, "%d instances running (status 0)", N);
  CHECK(vms_in_process() == 1, "one JVM in the process (%d)", vms_in_process());
  printf("many: first instance running after %.0f ms (JVM start); the other %d after %.0f ms in all (%.1f ms each)\n", first_ms, N - 1, rest_ms,
         rest_ms / (N - 1));

  /* every instance answers the same phrase, offline */
  PNote p[5];
  phrase_at(p, 0);
  int answered = 0;
  for (int i = 0; i < N; i++) {
    Inst* x = &xs[i];
    x->controls[P_FREEWHEEL] = 1.0f;
    n_segs = 0;
    x->host = 0;
    song_at(x->abs, 0, 120);
    pending_pos = (BlockIn){.rolling = true, .pos_beat = 0, .pos_bpm = 120};
    pending_pos_abs = x->abs;
    play(x, p, 5, at_beat(12));
    int64_t first;
    answered += answer_ons(x->out, x->n_out, 0, x->abs, &segs[0], &first, NULL) > 0 && first == at_beat(8);
  }
  CHECK(answered == N, "each of the %d instances answered on its bar line (%d did)", N, answered);
  for (int i = 0; i < N; i++) close_inst(&xs[i]);
  free(xs);

  /* instantiate / run / cleanup cycles: memory stays flat */
  enum { CYCLES = 100 };
  long rss_after10 = 0, rss_start = rss_kib();
  int ok = 0;
  t0 = now_ms();
  for (int c = 0; c < CYCLES; c++) {
    Inst x;
    if (open_inst(&x)) {
      wait_started(&x, 10000);
      ok += status_of(&x) == 0;
      for (int b = 0; b < 8; b++) run_block(&x, NULL);
    }
    close_inst(&x);
    if (c == 9) rss_after10 = rss_kib();
  }
  const long rss_end = rss_kib();
  CHECK(ok == CYCLES, "%d instantiate/run/cleanup cycles, each running (%d)", CYCLES, ok);
  printf("many: RSS %ld MiB before the cycles, %ld MiB after 10, %ld MiB after %d (%.1f ms per cycle)\n", rss_start / 1024, rss_after10 / 1024,
         rss_end / 1024, CYCLES, (now_ms() - t0) / CYCLES);
  CHECK(rss_end - rss_after10 < 48 * 1024, "RSS roughly flat over cycles 10-%d: grew %ld KiB (bound 48 MiB)", CYCLES, rss_end - rss_after10);
}

/* A failure the plug-in must survive: it instantiates, reports `want`, passes audio and MIDI. */
static void scenario_failure(const char* what, int want) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x), "%s: instantiates anyway", what);
  wait_started(x, 30000);
  CHECK(status_of(x) == want, "%s: status %d (got %d)", what, want, status_of(x));
  BlockIn b = {.rolling = false, .n_midi = 1, .midi_at = {17}, .midi = {{0x91, 60, 100}}};
  run_block(x, &b);
  CHECK(x->n_out >= 1 && x->out[x->n_out - 1].frame == x->abs - BLOCK + 17 && x->out[x->n_out - 1].msg[1] == 60, "%s: MIDI thru on its frame", what);
  for (int i = 0; i < 50; i++) run_block(x, NULL);
  CHECK(x->bad_audio == 0, "%s: audio passes (%d samples differ)", what, x->bad_audio);
  /* a second instance in the same process meets the same state, quickly */
  Inst* y = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(y), "%s: a second instance", what);
  const double ms = wait_started(y, 30000);
  CHECK(status_of(y) == want, "%s: second instance status %d (got %d, %.0f ms)", what, want, status_of(y), ms);
  close_inst(y);
  close_inst(x);
  free(x);
  free(y);
  CHECK(1, "%s: cleanup returned, the host goes on", what);
}

static void scenario_javaerror(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x), "java error: instantiates");
  x->controls[P_ENGINE] = 1.0f; /* remi, whose model package is not installed */
  wait_started(x, 30000);
  int status = -1;
  for (int i = 0; i < 2000 && status != 3; i++) {
    run_block(x, NULL);
    status = status_of(x);
    usleep(1000);
  }
  CHECK(status == 3, "java error: a missing model package gives status 3 (got %d)", status);
  x->controls[P_ENGINE] = 0.0f; /* back to the Continuator */
  for (int i = 0; i < 2000 && status != 0; i++) {
    run_block(x, NULL);
    status = status_of(x);
    usleep(1000);
  }
  CHECK(status == 0, "java error: choosing the Continuator recovers (status %d)", status);
  CHECK(x->bad_audio == 0, "java error: audio passed throughout (%d samples differ)", x->bad_audio);
  close_inst(x);
  free(x);
}

/* A host's nonsense: a time:Position with an absurd (finite) tempo and beat, controls set to NaN and
   infinity. Nothing of it reaches Java (the core drops such fields and values), the status stays OK,
   and once sane values return a phrase is answered on its bar line. */
static void scenario_absurd(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x), "absurd: instantiates");
  wait_started(x, 30000);
  x->controls[P_FREEWHEEL] = 1.0f;
  x->host = 0;
  n_segs = 0;
  song_at(x->abs, 0, 120);
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 0, .pos_bpm = 120};
  pending_pos_abs = x->abs;
  play(x, NULL, 0, at_beat(4));
  /* 1e30 BPM and beat 1e30 (finite as the atoms' floats), then NaN and infinite controls */
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 1e30, .pos_bpm = 1e30};
  pending_pos_abs = x->abs + 10;
  play(x, NULL, 0, x->abs + 4 * BLOCK);
  const float saved[3] = {x->controls[P_SILENCE], x->controls[P_TEMPERATURE], x->controls[P_VELOCITY_SCALE]};
  x->controls[P_SILENCE] = NAN;
  x->controls[P_TEMPERATURE] = INFINITY;
  x->controls[P_VELOCITY_SCALE] = -INFINITY;
  x->controls[P_ANSWER_BARS] = 1e30f;
  int bad_status = 0;
  for (int b = 0; b < 40; b++) {
    play(x, NULL, 0, x->abs + BLOCK);
    bad_status += status_of(x) != 0;
  }
  CHECK(bad_status == 0, "absurd: the status stays OK through nonsense (%d blocks not)", bad_status);
  x->controls[P_SILENCE] = saved[0];
  x->controls[P_TEMPERATURE] = saved[1];
  x->controls[P_VELOCITY_SCALE] = saved[2];
  x->controls[P_ANSWER_BARS] = 2;
  /* sane again: a jump to beat 100 at 120 BPM, a phrase on 101-105, its answer from beat 108 */
  const int64_t from = x->abs;
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 100, .pos_bpm = 120, .pos_frame = 7000000};
  pending_pos_abs = from;
  song_at(from, 100, 120);
  x->host = 7000000;
  PNote p[5];
  phrase_at(p, 101);
  play(x, p, 5, at_beat(118));
  read_note_log(1);
  Seg s = segs[n_segs - 1];
  int64_t first;
  int off;
  const int n = answer_ons(x->out, x->n_out, from, at_beat(118), &s, &first, &off);
  CHECK(n >= 1 && first == at_beat(108), "absurd: afterwards the answer starts on beat 108 (%d notes, first at %" PRId64 ", want %" PRId64 ")", n, first,
        at_beat(108));
  CHECK(off == 0 && status_of(x) == 0, "absurd: every note-on on its exact frame (%d not), status %d", off, status_of(x));
  CHECK(x->bad_audio == 0, "absurd: audio passed (%d samples differ)", x->bad_audio);
  close_inst(x);
  free(x);
}

static void scenario_compose(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x), "compose: instantiates");
  wait_started(x, 30000);
  x->controls[P_FREEWHEEL] = 1.0f;
  x->controls[P_ENGINE] = 3.0f; /* Compose (MusicGen) */
  x->controls[P_ANSWER_BARS] = 1.0f;
  x->host = 0;
  n_segs = 0;
  song_at(x->abs, 0, 120);
  pending_pos = (BlockIn){.rolling = true, .pos_beat = 0, .pos_bpm = 120};
  pending_pos_abs = x->abs;
  send_prompt = "warm lo-fi piano with soft pads";
  play(x, NULL, 0, at_beat(2));
  x->controls[P_COMPOSE] = 1.0f;
  play(x, NULL, 0, at_beat(2.5));
  x->controls[P_COMPOSE] = 0.0f;
  /* offline, each block waits (bounded) for the piece; the limit is for a loaded machine, not a timing check */
  int64_t first = -1;
  while (x->abs < at_beat(2000) && first < 0) {
    play(x, NULL, 0, x->abs + 64 * BLOCK);
    answer_ons(x->out, x->n_out, 0, x->abs, &segs[n_segs - 1], &first, NULL);
  }
  play(x, NULL, 0, x->abs + at_beat(8) - at_beat(0));
  read_note_log(1);
  Seg s = segs[n_segs - 1];
  int off;
  const int n = answer_ons(x->out, x->n_out, 0, x->abs, &s, &first, &off);
  const double first_beat = (double)(first - s.abs) * s.bpm / 60.0 / RATE + s.beat;
  const double bar = floor(first_beat / 4 + 1e-9) * 4;
  int outside = 0;
  for (size_t i = 0; i < x->n_out; i++)
    if (is_answer_on(&x->out[i]) && (x->out[i].frame < at_beat(bar) || x->out[i].frame >= at_beat(bar + 4))) outside++;
  CHECK(n >= 1 && bar > 2, "compose: %d notes, from the bar at beat %g (after the press at beat 2)", n, bar);
  CHECK(outside == 0, "compose: every note-on within that one bar (%d outside)", outside);
  CHECK(off == 0 && status_of(x) == 0, "compose: every note-on on its exact frame (%d not), status %d", off, status_of(x));
  CHECK(x->bad_audio == 0, "compose: audio passed (%d samples differ)", x->bad_audio);
  close_inst(x);
  free(x);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* which = argc > 1 ? argv[1] : "";
  world = lilv_world_new();
  lilv_world_load_all(world);
  LilvNode* uri = lilv_new_uri(world, PLUGIN_URI);
  plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  CHECK(plugin != NULL, "plugin found on LV2_PATH");
  map_host_uris(&map);
  char name[64];
  snprintf(name, sizeof name, "lv2_jvm_host %s", which);
  if (!plugin) return check_summary(name);
  if (!strcmp(which, "answer")) scenario_answer();
  else if (!strcmp(which, "presets")) scenario_presets();
  else if (!strcmp(which, "many")) scenario_many();
  else if (!strcmp(which, "unavailable")) scenario_failure("no JRE", 2);
  else if (!strcmp(which, "badjvm")) scenario_failure("JVM will not start", 3);
  else if (!strcmp(which, "nolib")) scenario_failure("missing jars", 3);
  else if (!strcmp(which, "javaerror")) scenario_javaerror();
  else if (!strcmp(which, "absurd")) scenario_absurd();
  else if (!strcmp(which, "compose")) scenario_compose();
  else CHECK(0, "unknown scenario '%s'", which);
  lilv_node_free(uri);
  lilv_world_free(world);
  test_urids_free(&urids);
  return check_summary(name);
}
