/* clap_host.c: a CLAP host written on the CLAP headers, for the assembled CLAP bundle
   (Pianola.clap beside pianola.jar and lib/) with the real JVM inside. It drives the plug-in as a
   DAW does: init, activate, start_processing, process block after block on this thread with the
   host's transport in every block (and transport events inside a block for a tempo change or a
   loop jump), deactivate, destroy. One scenario per process (a process keeps its one JVM):
     answer   the plug-in's parameters are the table's (core/pn_params.h); the answer to a phrase at
              120 BPM starts on the bar line and every note-on lands on the exact frame of the beat
              Java sent (PIANOLA_NOTE_LOG); a tempo change to 90 BPM; a loop jump mid-answer (notes
              released at the jump frame, nothing stale after it); barge-in; parameter automation
              (answer_bars = 1 by a CLAP param event); state save, change, load (the saved value
              returns; damaged states are refused); then the same song in real time in a fresh
              instance: its answer equals the offline one, frame for frame.
     answer-offline  the same without the real-time part (the Windows build under Wine).
     stress   modelled on pluginval, Java running: sample rates 22.05-192 kHz (Java restarts at each),
              block sizes 1..4096 changing every block, random parameter values including NaN and
              +-inf, transport jumps and tempi 20-300 BPM, absurd transports (1e300 BPM, NaN and
              infinite beats, a negative meter): no crash, audio passes bit for bit, the status
              stays OK, and once sane values return a phrase is answered on its bar line; 16
              instances in one process, each answering; 100 create/activate/process/deactivate/
              destroy cycles with Java, RSS reported and bounded.
     installed  an installed bundle starts its Java (the install test).
     presets  the LV2 presets through CLAP's preset-discovery factory, loaded with clap.preset-load.
     lifecycle  no Java (PIANOLA_JAVA_HOME nowhere): status 2, audio and MIDI pass; the compose
              prompt from PIANOLA_PROMPT through a state into another instance; 20
              create/activate/process/deactivate/destroy cycles with RSS reported.
   Every real-time process() call is watched (rt_guard.h): no allocation, lock, sleep or blocking
   system call on the audio thread, Java running or not.
   usage: clap_host BUNDLE/Pianola.clap answer|stress|lifecycle */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <clap/clap.h>

#include "answer_song.h"
#include "check.h"
#include "pn_params.h"
#include "pn_platform.h"
#include "rt_guard.h"
#include "clap_host_lib.h"

/* the environment and a byte search, where mingw's C library has no setenv or memmem */
static void set_env(const char* name, const char* value) {
#ifdef _WIN32
  _putenv_s(name, value ? value : "");
#else
  if (value) setenv(name, value, 1);
  else unsetenv(name);
#endif
}

static bool contains(const void* hay, size_t hay_len, const char* needle) {
  const size_t n = strlen(needle);
  for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++)
    if (!memcmp((const char*)hay + i, needle, n)) return true;
  return false;
}


/* ---- the song, as a CLAP host reports it ---- */

/* the segment that holds absolute frame `abs` */
static const Seg* seg_at(int64_t abs) {
  const Seg* s = &segs[0];
  for (int i = 1; i < n_segs; i++)
    if (segs[i].abs <= abs) s = &segs[i];
  return s;
}
static double beat_at(int64_t abs) {
  const Seg* s = seg_at(abs);
  return s->beat + (double)(abs - s->abs) * s->bpm / 60.0 / RATE;
}

static double pace_ms;

/* Runs blocks up to `until`: the transport at each block's start, a transport event where a new
   segment starts inside the block, the player's notes (channel 2) and `param` at their frames. */
static void play(Inst* x, const PNote* notes, int n, int64_t until) {
  double next = now_ms();
  while (x->abs < until) {
    const Seg* s = seg_at(x->abs);
    const clap_event_transport_t t = transport_at(0, beat_at(x->abs), s->bpm, true);
    for (uint32_t f = 0; f < BLOCK; f++) {
      const int64_t at = x->abs + f;
      for (int k = 1; k < n_segs; k++)
        if (segs[k].abs == at && f > 0) {
          AnyEvent e = {.transport = transport_at(f, segs[k].beat, segs[k].bpm, true)};
          add_in(&e);
        }
      for (int i = 0; i < n; i++) {
        const bool on = at_beat(notes[i].on) == at, off = at_beat(notes[i].off) == at;
        if (!on && !off) continue;
        AnyEvent e = {.midi = {{sizeof(clap_event_midi_t), f, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI, 0}, 0,
                               {(uint8_t)((on ? 0x90 : 0x80) | PLAYER_CH), notes[i].key, on ? 100 : 0}}};
        add_in(&e);
      }
    }
    run_block(x, &t);
    if (pace_ms > 0) {
      next += pace_ms;
      const double wait = next - now_ms();
      if (wait > 0) usleep((useconds_t)(wait * 1000));
    }
  }
}

/* ---- state streams ---- */

typedef struct {
  uint8_t buf[4096];
  size_t len, pos, chunk; /* chunk: at most this many bytes per call (hosts give partial reads) */
} Stream;

static int64_t s_write(const clap_ostream_t* o, const void* b, uint64_t n) {
  Stream* s = (Stream*)o->ctx;
  if (s->chunk && n > s->chunk) n = s->chunk;
  if (s->len + n > sizeof s->buf) return -1;
  memcpy(s->buf + s->len, b, n);
  s->len += n;
  return (int64_t)n;
}
static int64_t s_read(const clap_istream_t* i, void* b, uint64_t n) {
  Stream* s = (Stream*)i->ctx;
  if (s->chunk && n > s->chunk) n = s->chunk;
  if (n > s->len - s->pos) n = s->len - s->pos;
  memcpy(b, s->buf + s->pos, n);
  s->pos += n;
  return (int64_t)n;
}

static bool load_state(Inst* x, Stream* s) {
  s->pos = 0;
  clap_istream_t in = {s, s_read};
  return x->state->load(x->p, &in);
}

/* ---- scenarios ---- */

static void check_params(Inst* x) {
  const uint32_t count = x->params->count(x->p);
  CHECK(count == PN_PARAM_COUNT - 1, "params: %u shown (the table's %d but the host's render mode)", count, PN_PARAM_COUNT);
  int same = 0;
  for (uint32_t i = 0; i < count; i++) {
    clap_param_info_t info;
    if (!x->params->get_info(x->p, i, &info) || info.id >= PN_PARAM_COUNT) continue;
    const PnParamInfo* t = &pn_params[info.id];
    const bool ro = (info.flags & CLAP_PARAM_IS_READONLY) != 0;
    same += !strcmp(info.name, t->label) && info.min_value == t->min && info.max_value == t->max && info.default_value == t->def &&
            ro == ((t->flags & PN_PARAM_OUTPUT) != 0) && !(t->flags & PN_PARAM_HOST);
  }
  CHECK(same == (int)count, "params: every one has the table's id, name, range and default (%d of %u)", same, count);
  char text[64];
  double v = -1;
  CHECK(x->params->value_to_text(x->p, PN_PARAM_ENGINE, 1, text, sizeof text) && !strcmp(text, "REMI (GPT-2)"), "params: engine 1 reads 'REMI (GPT-2)' (%s)", text);
  CHECK(x->params->text_to_value(x->p, PN_PARAM_ENGINE, "perceiver ar", &v) && v == 2, "params: 'perceiver ar' is engine 2 (%g)", v);
  CHECK(x->params->value_to_text(x->p, PN_PARAM_ANSWER_BARS, 4, text, sizeof text) && !strcmp(text, "4 bars"), "params: '4 bars' (%s)", text);
  CHECK(param(x, PN_PARAM_ANSWER_BARS) == 2 && param(x, PN_PARAM_TEMPERATURE) == 1, "params: defaults before anything is set");
  flush_param(x, PN_PARAM_TEMPERATURE, NAN);
  flush_param(x, PN_PARAM_ANSWER_BARS, 1e300);
  CHECK(param(x, PN_PARAM_TEMPERATURE) == 1 && param(x, PN_PARAM_ANSWER_BARS) == 16, "params: NaN ignored, 1e300 clamped to the maximum (%g, %g)",
        param(x, PN_PARAM_TEMPERATURE), param(x, PN_PARAM_ANSWER_BARS));
  flush_param(x, PN_PARAM_ANSWER_BARS, 2);
}

/* The offline song: phrase on 0-4 answered from beat 8 at 120 BPM; returns the answer's note-ons
   (frames from the song's start) for the real-time comparison. */
static int song_120(Inst* x, int64_t* frames, uint8_t* keys, int max) {
  PNote p[5];
  phrase_at(p, 0);
  play(x, p, 5, at_beat(20));
  const Seg* s = &segs[n_segs - 1];
  int n = 0;
  for (size_t i = 0; i < x->n_out && n < max; i++)
    if (x->out[i].frame >= s->abs && x->out[i].frame < at_beat(20) && is_answer_on(&x->out[i])) {
      frames[n] = x->out[i].frame - s->abs;
      keys[n++] = x->out[i].msg[1];
    }
  return n;
}

/* answer-offline (Windows under Wine): the real-time comparison is left out, Wine's scheduling of the
   JVM's threads being no measure of the plug-in's */
static bool with_realtime = true;

static void scenario_answer(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x, "dev.pianola.pianola"), "creates and inits the plug-in with every extension");
  check_params(x);
  const double t0 = now_ms();
  CHECK(x->p->activate(x->p, RATE, 1, 4096) && x->p->start_processing(x->p), "activates at 48 kHz");
  const double started = wait_started(x, 30000);
  CHECK(param(x, PN_PARAM_STATUS) == PN_STATUS_OK, "status 0 (Java running) after %.0f ms (got %g)", started, param(x, PN_PARAM_STATUS));
  printf("answer: JVM up and instance running %.0f ms after activate\n", now_ms() - t0);
  CHECK(!RT_GUARD_ACTIVE || rt_total() == 0, "real time: no allocation, lock, sleep or blocking call in process() while Java started (%u)", rt_total());
  CHECK(x->render->set(x->p, CLAP_RENDER_OFFLINE), "render: offline (process waits for Java)");
  x->offline = true;
  flush_param(x, PN_PARAM_LISTEN, 1); /* MIDI only: the test tone on the audio input is not to be covered */

  /* 1. 120 BPM from beat 0; phrase on beats 0-4, released 4.5; the answer (2 bars) from beat 8 */
  song_at(x->abs, 0, 120);
  int64_t offline_frames[64];
  uint8_t offline_keys[64];
  const int n_offline = song_120(x, offline_frames, offline_keys, 64);
  read_note_log(1);
  Seg s1 = segs[n_segs - 1];
  int64_t first;
  int off;
  int n = answer_ons(x->out, x->n_out, s1.abs, at_beat(20), &s1, &first, &off);
  CHECK(n >= 3, "120 BPM: an answer came (%d note-ons)", n);
  CHECK(first == at_beat(8), "120 BPM: it starts on the bar line, beat 8 = frame %" PRId64 " (got %" PRId64 ")", at_beat(8) - s1.abs, first - s1.abs);
  CHECK(answer_ons(x->out, x->n_out, at_beat(16), at_beat(20), &s1, &first, NULL) == 0, "120 BPM: the answer lasts 2 bars");
  CHECK(off == 0, "120 BPM: every note-on on the exact frame of its beat (%d not)", off);

  /* 2. tempo change to 90 BPM at a frame inside a block: phrase on 24-28, answer from beat 32 */
  const int64_t change = x->abs + 100;
  const double change_beat = beat_at(change);
  song_at(change, change_beat, 90);
  PNote p[6];
  phrase_at(p, 24);
  play(x, p, 5, at_beat(42));
  read_note_log(1);
  Seg s2 = segs[n_segs - 1];
  n = answer_ons(x->out, x->n_out, change, at_beat(42), &s2, &first, &off);
  CHECK(n >= 3 && first == at_beat(32), "90 BPM: the answer starts on beat 32 = frame %" PRId64 " (%d notes, got %" PRId64 ")", at_beat(32), n, first);
  CHECK(off == 0, "90 BPM: every note-on on the exact frame of its beat under the new tempo (%d not)", off);

  /* 3. a loop jump back to beat 44 (inside a block) while the answer to a phrase on 44-48 sounds */
  phrase_at(p, 44);
  play(x, p, 5, at_beat(54.25));
  const int64_t jump = x->abs + 37;
  song_at(jump, 44, 90);
  play(x, NULL, 0, x->abs + BLOCK);
  int sounding, released;
  released_at(x->out, x->n_out, jump, &sounding, &released);
  CHECK(sounding >= 1 && released == sounding, "loop: the %d sounding answer notes end exactly at the jump frame (%d did)", sounding, released);
  play(x, NULL, 0, at_beat(52));
  Seg s3 = segs[n_segs - 1];
  CHECK(answer_ons(x->out, x->n_out, jump, at_beat(52), &s3, &first, NULL) == 0, "loop: nothing planned for the old position plays after the jump");

  /* 4. barge-in: the answer to a phrase on 52-56 starts on beat 60; the player plays at 61.25 and
        holds the key to 66.5 */
  phrase_at(p, 52);
  p[5] = (PNote){61.25, 66.5, 72};
  play(x, p, 6, at_beat(70));
  const int64_t barge = at_beat(61.25);
  released_at(x->out, x->n_out, barge, &sounding, &released);
  CHECK(answer_ons(x->out, x->n_out, at_beat(60), barge, &s3, &first, NULL) >= 1, "barge-in: the answer had started");
  CHECK(sounding >= 1 && released == sounding, "barge-in: the %d sounding answer notes end at the key's frame (%d did)", sounding, released);
  const int64_t horizon = at_beat(61.25 + 4) + 2 * BLOCK;
  CHECK(answer_ons(x->out, x->n_out, horizon, at_beat(70), &s3, &first, NULL) == 0, "barge-in: no answer note starts past the one-bar horizon");

  /* 5. automation: answer_bars = 1 as a CLAP param event inside a block; a phrase on 76-80 is
        answered from beat 84 for one bar only */
  play(x, NULL, 0, at_beat(72));
  AnyEvent e = {.param = {{sizeof(clap_event_param_value_t), 10, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_PARAM_VALUE, 0}, PN_PARAM_ANSWER_BARS, NULL, -1, -1, -1, -1, 1.0}};
  add_in(&e);
  play(x, NULL, 0, x->abs + BLOCK);
  CHECK(param(x, PN_PARAM_ANSWER_BARS) == 1, "automation: answer_bars reads 1 after the event (%g)", param(x, PN_PARAM_ANSWER_BARS));
  phrase_at(p, 76);
  play(x, p, 5, at_beat(96));
  n = answer_ons(x->out, x->n_out, at_beat(84), at_beat(88), &s3, &first, NULL);
  const int after = answer_ons(x->out, x->n_out, at_beat(88), at_beat(96), &s3, &first, NULL);
  CHECK(n >= 1 && after == 0, "automation: the answer lasts one bar (%d notes in it, %d after)", n, after);

  /* 6. state: saved with answer_bars 1 and temperature 1.5 (written in 3-byte pieces), changed,
        loaded: both come back; a damaged state is refused and changes nothing */
  flush_param(x, PN_PARAM_TEMPERATURE, 1.5);
  Stream st = {.chunk = 3};
  clap_ostream_t os = {&st, s_write};
  CHECK(x->state->save(x->p, &os) && st.len >= 16 && !memcmp(st.buf, "PNST", 4), "state: saved (%zu bytes, 'PNST' header)", st.len);
  flush_param(x, PN_PARAM_ANSWER_BARS, 4);
  flush_param(x, PN_PARAM_TEMPERATURE, 0.5);
  const int rescans_before = rescans;
  CHECK(load_state(x, &st), "state: loads (read in 3-byte pieces)");
  CHECK(param(x, PN_PARAM_ANSWER_BARS) == 1 && fabs(param(x, PN_PARAM_TEMPERATURE) - 1.5) < 1e-6, "state: answer_bars 1 and temperature 1.5 restored (%g, %g)",
        param(x, PN_PARAM_ANSWER_BARS), param(x, PN_PARAM_TEMPERATURE));
  CHECK(rescans > rescans_before, "state: the host is told to rescan the values");
  flush_param(x, PN_PARAM_ANSWER_BARS, 3);
  Stream bad = st;
  bad.buf[0] = 'X';
  CHECK(!load_state(x, &bad) && param(x, PN_PARAM_ANSWER_BARS) == 3, "state: a foreign header is refused, nothing changes");
  bad = st;
  bad.len = 10;
  CHECK(!load_state(x, &bad) && param(x, PN_PARAM_ANSWER_BARS) == 3, "state: a cut-short state is refused");
  bad = st;
  bad.buf[8] = 0xFF, bad.buf[9] = 0xFF, bad.buf[10] = 0xFF, bad.buf[11] = 0x7F; /* claims 2 GB */
  CHECK(!load_state(x, &bad) && param(x, PN_PARAM_ANSWER_BARS) == 3, "state: an absurd length is refused");
  CHECK(x->bad_audio == 0, "audio passed bit for bit on both channels in every block (%d samples differ)", x->bad_audio);
  close_inst(x);

  if (!with_realtime) {
    free(x);
    return;
  }
  /* 7. the same first song in REAL TIME in a fresh instance (blocks paced at 5.33 ms, no waiting
        for Java): the answer equals the offline one, frame for frame */
  Inst* y = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(y, "dev.pianola.pianola") && y->p->activate(y->p, RATE, 1, 4096) && y->p->start_processing(y->p), "a second instance starts");
  wait_started(y, 30000);
  flush_param(y, PN_PARAM_LISTEN, 1);
  n_segs = 0;
  song_at(y->abs, 0, 120);
  pace_ms = BLOCK * 1000.0 / RATE;
  rt_reset();
  int64_t rt_frames[64];
  uint8_t rt_keys[64];
  const int n_rt = song_120(y, rt_frames, rt_keys, 64);
  pace_ms = 0;
  int same = n_rt == n_offline;
  for (int i = 0; same && i < n_rt; i++) same = rt_frames[i] == offline_frames[i] && rt_keys[i] == offline_keys[i];
  CHECK(n_offline >= 3 && same, "real time: the answer equals the offline render (%d and %d note-ons)", n_rt, n_offline);
  if (!same)
    for (int i = 0; i < n_rt || i < n_offline; i++)
      fprintf(stderr, "  note-on %d: real time frame %" PRId64 " key %d, offline frame %" PRId64 " key %d\n", i, i < n_rt ? rt_frames[i] : -1,
              i < n_rt ? rt_keys[i] : -1, i < n_offline ? offline_frames[i] : -1, i < n_offline ? offline_keys[i] : -1);
  rt_report("clap_host answer");
  CHECK(!RT_GUARD_ACTIVE || rt_total() == 0, "real time: no allocation, lock, sleep or blocking call in process() while Java answered (%u)", rt_total());
  close_inst(y);
  free(x);
  free(y);
  CHECK(1, "destroy returned");
}

/* ---- presets: CLAP's preset-discovery factory and clap.preset-load ---- */

static int n_locations, n_presets, presets_ok;
static uint32_t location_kind_seen = 99;
static char preset_names[16][64];

static bool ix_filetype(const clap_preset_discovery_indexer_t* i, const clap_preset_discovery_filetype_t* f) {
  (void)i;
  (void)f;
  return true;
}
static bool ix_location(const clap_preset_discovery_indexer_t* i, const clap_preset_discovery_location_t* l) {
  (void)i;
  n_locations++;
  location_kind_seen = l->kind;
  return true;
}
static bool ix_soundpack(const clap_preset_discovery_indexer_t* i, const clap_preset_discovery_soundpack_t* s) {
  (void)i;
  (void)s;
  return true;
}
static const void* ix_extension(const clap_preset_discovery_indexer_t* i, const char* id) {
  (void)i;
  (void)id;
  return NULL;
}
static void rc_error(const clap_preset_discovery_metadata_receiver_t* r, int32_t e, const char* m) {
  (void)r;
  (void)e;
  fprintf(stderr, "preset discovery error: %s\n", m);
}
static bool rc_begin(const clap_preset_discovery_metadata_receiver_t* r, const char* name, const char* key) {
  (void)r;
  if (n_presets < 16) snprintf(preset_names[n_presets], sizeof preset_names[0], "%s", name);
  n_presets++;
  presets_ok += key && !strcmp(name, key); /* the load key is the label */
  return true;
}
static void rc_plugin(const clap_preset_discovery_metadata_receiver_t* r, const clap_universal_plugin_id_t* id) {
  (void)r;
  presets_ok += !strcmp(id->abi, "clap") && !strcmp(id->id, "dev.pianola.pianola");
}
static void rc_soundpack(const clap_preset_discovery_metadata_receiver_t* r, const char* id) {
  (void)r;
  (void)id;
}
static void rc_flags(const clap_preset_discovery_metadata_receiver_t* r, uint32_t flags) {
  (void)r;
  presets_ok += (flags & CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT) != 0;
}
static void rc_text(const clap_preset_discovery_metadata_receiver_t* r, const char* t) {
  (void)r;
  (void)t;
}
static void rc_times(const clap_preset_discovery_metadata_receiver_t* r, clap_timestamp a, clap_timestamp b) {
  (void)r;
  (void)a;
  (void)b;
}
static void rc_extra(const clap_preset_discovery_metadata_receiver_t* r, const char* k, const char* v) {
  (void)r;
  (void)k;
  (void)v;
}

/* The LV2 presets, listed by the discovery factory and loaded into an instance (no Java needed). */
static void scenario_presets(void) {
  const clap_preset_discovery_factory_t* pf = (const clap_preset_discovery_factory_t*)entry->get_factory(CLAP_PRESET_DISCOVERY_FACTORY_ID);
  CHECK(pf && pf->count(pf) == 1, "the preset-discovery factory has one provider");
  if (!pf) return;
  const clap_preset_discovery_provider_descriptor_t* d = pf->get_descriptor(pf, 0);
  const clap_preset_discovery_indexer_t indexer = {CLAP_VERSION_INIT, "pianola clap_host", "pianola", NULL, NULL, NULL,
                                                   ix_filetype, ix_location, ix_soundpack, ix_extension};
  const clap_preset_discovery_provider_t* provider = d ? pf->create(pf, &indexer, d->id) : NULL;
  CHECK(provider && provider->init(provider), "the provider starts");
  if (!provider) return;
  CHECK(n_locations == 1 && location_kind_seen == CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, "one location: presets inside the plug-in");
  const clap_preset_discovery_metadata_receiver_t receiver = {NULL, rc_error, rc_begin, rc_plugin, rc_soundpack, rc_flags,
                                                              rc_text, rc_text, rc_times, rc_text, rc_extra};
  CHECK(provider->get_metadata(provider, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, NULL, &receiver), "the provider lists its presets");
  bool quick = false, call = false;
  for (int i = 0; i < n_presets && i < 16; i++) quick |= !strcmp(preset_names[i], "Quick answers"), call |= !strcmp(preset_names[i], "Call and response");
  CHECK(n_presets == 7 && quick && call && presets_ok == 3 * n_presets,
        "the 7 LV2 presets, by label, each for dev.pianola.pianola, factory content (%d listed)", n_presets);
  provider->destroy(provider);

  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x, "dev.pianola.pianola"), "an instance");
  const clap_plugin_preset_load_t* load = (const clap_plugin_preset_load_t*)x->p->get_extension(x->p, CLAP_EXT_PRESET_LOAD);
  CHECK(load && load->from_location(x->p, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, NULL, "Quick answers"), "preset-load: Quick answers");
  CHECK(param(x, PN_PARAM_ANSWER_BARS) == 1 && param(x, PN_PARAM_SILENCE_BEATS) == 1 && param(x, PN_PARAM_START_ON) == 1,
        "Quick answers: 1 bar, after 1 beat, on the next beat (%g, %g, %g)", param(x, PN_PARAM_ANSWER_BARS), param(x, PN_PARAM_SILENCE_BEATS),
        param(x, PN_PARAM_START_ON));
  CHECK(load && load->from_location(x->p, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, NULL, "Adventurous") && fabs(param(x, PN_PARAM_TEMPERATURE) - 1.4) < 1e-6 &&
            param(x, PN_PARAM_KEY_LOCK) == 0 && param(x, PN_PARAM_ANSWER_BARS) == 4,
        "Adventurous: temperature 1.4, key lock off, 4 bars");
  CHECK(load && !load->from_location(x->p, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, NULL, "No such preset") && param(x, PN_PARAM_ANSWER_BARS) == 4,
        "an unknown preset is refused and changes nothing");
  x->p->destroy(x->p);
  x->p = NULL;
  close_inst(x);
  free(x);
}

/* An installed bundle (found by a search of ~/.clap, as hosts do): Java starts from the bundle's own
   java-home and the instance runs. */
static void scenario_installed(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x, "dev.pianola.pianola") && x->p->activate(x->p, RATE, 1, 4096) && x->p->start_processing(x->p), "starts");
  const double ms = wait_started(x, 30000);
  CHECK(param(x, PN_PARAM_STATUS) == PN_STATUS_OK, "installed: Java runs (status %g after %.0f ms)", param(x, PN_PARAM_STATUS), ms);
  close_inst(x);
  free(x);
}

/* a random number in [0, 1) (a fixed sequence: the run is repeatable) */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

/* Plays a phrase at 120 BPM from the instance's next block and returns the frame of the first
   answer note-on (-1: none) and, in *bar_frame, the frame of the bar line it should start on. */
static int64_t answers_on_bar(Inst* x, int64_t* bar_frame) {
  n_segs = 0;
  song_at(x->abs, 0, 120);
  PNote p[5];
  phrase_at(p, 0);
  const size_t from = x->n_out;
  play(x, p, 5, at_beat(16));
  *bar_frame = at_beat(8);
  for (size_t i = from; i < x->n_out; i++)
    if (is_answer_on(&x->out[i])) return x->out[i].frame;
  return -1;
}

static void scenario_stress(void) {
  const double rates[] = {22050, 44100, 48000, 88200, 96000, 192000};
  const double absurd[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, 0, -1};
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x, "dev.pianola.pianola"), "creates the plug-in");
  int crashes_avoided = 0, status_bad = 0, blocks = 0;
  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    if (r > 0) {
      x->p->stop_processing(x->p);
      x->p->deactivate(x->p);
    }
    const bool up = x->p->activate(x->p, rates[r], 1, MAX_BLOCK) && x->p->start_processing(x->p);
    CHECK(up, "activates at %g Hz", rates[r]);
    wait_started(x, 30000);
    CHECK(param(x, PN_PARAM_STATUS) == PN_STATUS_OK, "Java runs at %g Hz (status %g)", rates[r], param(x, PN_PARAM_STATUS));
    flush_param(x, PN_PARAM_LISTEN, 1);
    x->offline = false;
    x->render->set(x->p, CLAP_RENDER_REALTIME);
    rt_reset();
    double beat = 0, bpm = 120;
    for (int b = 0; b < 400; b++, blocks++) {
      const uint32_t frames = 1 + (uint32_t)(rnd() * MAX_BLOCK);
      /* parameter events: random values, a third of them not numbers or out of range */
      for (int k = 0; k < 3; k++) {
        const clap_id id = (clap_id)(rnd() * PN_PARAM_COUNT);
        const double v = rnd() < 0.3 ? absurd[(int)(rnd() * 7)] : pn_params[id].min + rnd() * (pn_params[id].max - pn_params[id].min);
        AnyEvent e = {.param = {{sizeof(clap_event_param_value_t), (uint32_t)(rnd() * frames), CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_PARAM_VALUE, 0},
                                id, NULL, -1, -1, -1, -1, v}};
        /* not these: an engine without its package (status 3 by design), the audio cover of the
           test ramp, a capture file in the user's folder */
        if (id == PN_PARAM_ENGINE) e.param.value = 0;
        if (id == PN_PARAM_LISTEN) e.param.value = 1;
        if (id == PN_PARAM_CAPTURE) e.param.value = 0;
        add_in(&e);
      }
      /* the transport: mostly rolling on, sometimes a jump, a new tempo (20-300), or nonsense */
      const double u = rnd();
      if (u < 0.05) beat = rnd() * 1000;
      else if (u < 0.10) bpm = 20 + rnd() * 280;
      clap_event_transport_t t = transport_at(0, beat, bpm, rnd() > 0.05);
      if (u > 0.95) {
        t.tempo = absurd[(int)(rnd() * 7)];
        t.song_pos_beats = rnd() < 0.5 ? INT64_MAX : INT64_MIN;
        t.tsig_num = (uint16_t)(rnd() * 65535);
        t.tsig_denom = 0;
        crashes_avoided++;
      }
      run_frames(x, &t, frames);
      beat += frames * bpm / 60.0 / rates[r];
      status_bad += param(x, PN_PARAM_STATUS) != PN_STATUS_OK;
    }
    /* sane again: the defaults, and a phrase is answered on its bar line */
    for (unsigned i = 0; i < PN_PARAM_COUNT; i++)
      if (!(pn_params[i].flags & (PN_PARAM_OUTPUT | PN_PARAM_HOST))) flush_param(x, i, pn_params[i].def);
    flush_param(x, PN_PARAM_LISTEN, 1);
    x->render->set(x->p, CLAP_RENDER_OFFLINE);
    x->offline = true;
    song_rate = rates[r];
    int64_t bar;
    const int64_t first = answers_on_bar(x, &bar);
    song_rate = 48000.0;
    CHECK(first == bar, "%g Hz after the storm: the answer starts on the bar line (frame %" PRId64 ", want %" PRId64 ")", rates[r], first, bar);
    rt_report("clap_host stress");
    printf("stress: %g Hz: 400 blocks of 1..%u frames, random and absurd parameters and transports; %u real-time violations\n", rates[r], MAX_BLOCK,
           rt_total());
    CHECK(!RT_GUARD_ACTIVE || rt_total() == 0, "%g Hz: no allocation, lock, sleep or blocking call on the audio thread (%u)", rates[r], rt_total());
  }
  CHECK(status_bad == 0, "the status stayed OK through %d blocks of nonsense (%d not)", blocks, status_bad);
  CHECK(x->bad_audio == 0, "audio passed bit for bit through all of it (%d samples differ)", x->bad_audio);
  printf("stress: %d absurd transports, %d blocks\n", crashes_avoided, blocks);
  close_inst(x);
  free(x);

  /* 16 instances in one process (one JVM), each answering */
  enum { MANY = 16 };
  Inst* many = (Inst*)calloc(MANY, sizeof(Inst));
  int up = 0, answered = 0;
  for (int i = 0; i < MANY; i++)
    up += open_inst(&many[i], "dev.pianola.pianola") && many[i].p->activate(many[i].p, RATE, 1, MAX_BLOCK) && many[i].p->start_processing(many[i].p);
  for (int i = 0; i < MANY; i++) {
    wait_started(&many[i], 30000);
    flush_param(&many[i], PN_PARAM_LISTEN, 1);
    many[i].render->set(many[i].p, CLAP_RENDER_OFFLINE);
    many[i].offline = true;
    int64_t bar;
    answered += answers_on_bar(&many[i], &bar) == bar;
  }
  CHECK(up == MANY && answered == MANY, "%d instances in one process: %d started, %d answered on the bar line", MANY, up, answered);
  for (int i = 0; i < MANY; i++) close_inst(&many[i]);
  free(many);

  /* 100 cycles with Java: RSS flat */
  enum { CYCLES = 100 };
  long rss_start = 0;
  int ok = 0;
  const double t0 = now_ms();
  for (int c = 0; c < CYCLES; c++) {
    Inst* y = (Inst*)calloc(1, sizeof(Inst));
    bool fine = open_inst(y, "dev.pianola.pianola") && y->p->activate(y->p, RATE, 1, MAX_BLOCK) && y->p->start_processing(y->p);
    /* MIDI only, as the LV2 cycles: an instance that hears audio starts Basic Pitch, whose ~0.4 MB
       an instance is not given back (the engine's, noted in plugin/README) */
    if (fine) flush_param(y, PN_PARAM_LISTEN, 1);
    if (fine) wait_started(y, 30000);
    for (int b = 0; fine && b < 16; b++) run_block(y, NULL);
    ok += fine && param(y, PN_PARAM_STATUS) == PN_STATUS_OK;
    close_inst(y);
    free(y);
    if (c == 9) rss_start = rss_kib(); /* after the JVM's warm-up */
  }
  const long rss_end = rss_kib();
  printf("stress: %d cycles in %.0f ms (%.1f ms each); RSS %ld kB after 10, %ld kB after %d\n", CYCLES, now_ms() - t0, (now_ms() - t0) / CYCLES,
         rss_start, rss_end, CYCLES);
  CHECK(ok == CYCLES, "%d create/activate/process/deactivate/destroy cycles with Java running (%d)", CYCLES, ok);
  CHECK(rss_end - rss_start < 48 * 1024, "RSS roughly flat over cycles 10-%d: grew %ld KiB (bound 48 MiB, as LV2's)", CYCLES, rss_end - rss_start);
}

static void scenario_lifecycle(void) {
  Inst* x = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(x, "dev.pianola.pianola") && x->p->activate(x->p, RATE, 1, 4096) && x->p->start_processing(x->p), "starts");
  wait_started(x, 30000);
  CHECK(param(x, PN_PARAM_STATUS) == PN_STATUS_JAVA_UNAVAILABLE, "no Java: status 2 (got %g)", param(x, PN_PARAM_STATUS));
  n_segs = 0;
  song_at(x->abs, 0, 120);
  PNote p[5];
  phrase_at(p, 0);
  play(x, p, 5, at_beat(8));
  int thru = 0;
  for (size_t i = 0; i < x->n_out; i++) thru += (x->out[i].msg[0] & 0x0F) == PLAYER_CH;
  CHECK(thru == 10, "no Java: the player's 10 messages pass through (%d)", thru);
  CHECK(x->bad_audio == 0, "no Java: audio passes (%d samples differ)", x->bad_audio);
  CHECK(!RT_GUARD_ACTIVE || rt_total() == 0, "no Java: nothing real-time code must not do in process() (%u)", rt_total());
  CHECK(factory->create_plugin(factory, &host, "dev.pianola.nothing") == NULL, "an unknown id creates nothing");
  close_inst(x);
  free(x);
  Inst* z = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(z, "dev.pianola.pianola") && !z->p->activate(z->p, NAN, 1, 4096) && !z->p->activate(z->p, 1e300, 1, 4096),
        "a NaN or absurd sample rate is refused at activate");
  z->p->destroy(z->p);
  z->p = NULL;
  close_inst(z);
  free(z);
  /* the compose prompt: a new instance takes $PIANOLA_PROMPT; the state carries it into an instance
     made without it (the same bytes saved again), and an instance made without it has none */
  const char* prompt = "dreamy harp arpeggios";
  set_env("PIANOLA_PROMPT", prompt);
  Inst* pa = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(pa, "dev.pianola.pianola"), "prompt: an instance with PIANOLA_PROMPT");
  set_env("PIANOLA_PROMPT", NULL);
  Inst* pb = (Inst*)calloc(1, sizeof(Inst));
  CHECK(open_inst(pb, "dev.pianola.pianola"), "prompt: an instance without");
  Stream sa = {.chunk = 5}, sb = {.chunk = 0}, sc = {.chunk = 0};
  clap_ostream_t oa = {&sa, s_write}, ob = {&sb, s_write}, oc = {&sc, s_write};
  CHECK(pa->state->save(pa->p, &oa) && contains(sa.buf, sa.len, prompt), "prompt: the state holds PIANOLA_PROMPT's text (%zu bytes)", sa.len);
  CHECK(pb->state->save(pb->p, &ob) && !contains(sb.buf, sb.len, prompt) && sb.len < sa.len, "prompt: none without it");
  CHECK(load_state(pb, &sa) && pb->state->save(pb->p, &oc) && sc.len == sa.len && !memcmp(sc.buf, sa.buf, sa.len),
        "prompt: loaded, it is saved again byte for byte");
  for (Inst* q = pa; q; q = q == pa ? pb : NULL) {
    q->p->destroy(q->p); /* never activated */
    q->p = NULL;
    close_inst(q);
    free(q);
  }

  const long rss0 = rss_kib();
  for (int c = 0; c < 20; c++) {
    Inst* y = (Inst*)calloc(1, sizeof(Inst));
    bool ok = open_inst(y, "dev.pianola.pianola") && y->p->activate(y->p, c % 2 ? 44100 : 96000, 1, 4096) && y->p->start_processing(y->p);
    for (int b = 0; ok && b < 8; b++) run_block(y, NULL);
    CHECK(ok, "cycle %d", c);
    close_inst(y);
    free(y);
  }
  printf("lifecycle: RSS %ld KiB before 20 cycles, %ld KiB after\n", rss0, rss_kib());
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: clap_host PATH/Pianola.clap answer|answer-offline|stress|installed|presets|lifecycle\n");
    return 2;
  }
  main_thread = pthread_self();
  void* lib = pn_lib_load(argv[1]);
  char why[512] = "";
  CHECK(lib != NULL, "load %s: %s", argv[1], lib ? "" : pn_lib_error(why, sizeof why));
  if (!lib) return check_summary("clap_host");
  entry = (const clap_plugin_entry_t*)pn_lib_symbol(lib, "clap_entry");
  CHECK(entry && clap_version_is_compatible(entry->clap_version) && entry->init(argv[1]), "clap_entry found and initialized");
  if (!entry) return check_summary("clap_host");
  factory = (const clap_plugin_factory_t*)entry->get_factory(CLAP_PLUGIN_FACTORY_ID);
  const clap_plugin_descriptor_t* d = factory ? factory->get_plugin_descriptor(factory, 0) : NULL;
  CHECK(factory && factory->get_plugin_count(factory) == 1 && d && !strcmp(d->id, "dev.pianola.pianola"), "the factory offers dev.pianola.pianola");
  if (!d) return check_summary("clap_host");
  if (!strcmp(argv[2], "answer")) scenario_answer();
  else if (!strcmp(argv[2], "answer-offline")) {
    with_realtime = false;
    scenario_answer();
  }
  else if (!strcmp(argv[2], "lifecycle")) scenario_lifecycle();
  else if (!strcmp(argv[2], "stress")) scenario_stress();
  else if (!strcmp(argv[2], "installed")) scenario_installed();
  else if (!strcmp(argv[2], "presets")) scenario_presets();
  else CHECK(0, "unknown scenario %s", argv[2]);
  entry->deinit();
  char name[64];
  snprintf(name, sizeof name, "clap_host %s", argv[2]);
  return check_summary(name);
}
