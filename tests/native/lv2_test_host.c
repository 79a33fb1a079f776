/*
 * lv2_test_host.c: a deterministic LV2 host (lilv, no JACK) that loads the real Pianola bundle
 * from LV2_PATH, instantiates it and runs it for thousands of blocks, feeding MIDI and Ardour-style
 * time:Position objects at exact frames: a tempo change, a loop jump mid-block, a stop and a
 * restart, odd block sizes, in-place audio, an output buffer too small for anything and a flood
 * of MIDI. Every block it checks that the audio passes through bit-exactly, the MIDI output is a
 * valid atom Sequence (in time order, inside the block, inside its capacity), the player's MIDI
 * comes through on exactly its frames, and the latency and status ports were written.
 *
 * What it cannot check yet: generated answers. The JVM is not embedded in this build, so nothing
 * fills the output ring and the plugin's only MIDI output is the thru of its input (the scheduler's
 * placement of beat-stamped notes is covered by test_scheduler.c). It prints "N passed, M failed"
 * and exits 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/time/time.h>

#include "check.h"
#include "host_uris.h"
#include "pianola_ports.h"
#include "test_urid.h"

#define RATE 48000.0
#define MAX_BLOCK 1024
#define IN_CAP 65536
#define OUT_CAP 8192 /* the TTL's rsz:minimumSize */

static const char* const SYMBOLS[N_PORTS] = {
    "in",          "out",         "events_in",   "midi_out",       "engine",  "answer_bars",   "silence_beats", "every_bar",
    "temperature", "key_lock",    "velocity_scale", "follow",      "free_wheeling", "latency", "status",
    "start_on",    "listen",      "cover_lag_bars", "capture", "in_r",        "out_r",       "compose"};

static TestUrids urids;
static LV2_URID_Map map = {&urids, test_urid_map};
static LV2_URID_Unmap unmap = {&urids, test_urid_unmap};

/* written by the plugin's starter thread (the "no Java" line) and read here: atomic */
static _Atomic int log_lines;
static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char* fmt, va_list ap) {
  (void)h;
  (void)type;
  if (atomic_fetch_add(&log_lines, 1) > 0) return 0; /* one line shows the path works; 100 cycles would repeat it */
  return vfprintf(stderr, fmt, ap);
}
static int log_printf(LV2_Log_Handle h, LV2_URID type, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int r = log_vprintf(h, type, fmt, ap);
  va_end(ap);
  return r;
}
static LV2_Log_Log log_feature_data = {NULL, log_printf, log_vprintf};

/* Buffers the plugin sees; 8-aligned as atom ports require. */
static float audio_in[MAX_BLOCK], audio_out[MAX_BLOCK], audio_expect[MAX_BLOCK];
/* the optional right channel: connected only in the stereo blocks (stereo = true) */
static float audio_in_r[MAX_BLOCK], audio_out_r[MAX_BLOCK], audio_expect_r[MAX_BLOCK];
static bool stereo, mono_in_stereo_out;
static int bad_audio_r, stereo_blocks, dual_mono_blocks;
static uint64_t in_buf[IN_CAP / 8], out_buf[OUT_CAP / 8];
static float controls[N_PORTS];

/* The host's side of the song: Ardour's model (per-cycle Position, 1/1920-beat barBeat). */
typedef struct {
  int64_t frame;
  double beat, bpm, speed;
} Song;

/* A MIDI event the test sends, and therefore expects back at the same frame. */
typedef struct {
  uint32_t offset, size;
  uint8_t msg[3];
} Midi;

static uint32_t rng = 12345;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static void forge_position(LV2_Atom_Forge* f, uint32_t offset, const Song* s) {
  forge_position_4_4(f, offset, s->frame, (float)s->speed, s->beat, s->bpm, 1920.0); /* Ardour's 1/1920 barBeat */
}

/* Per-block failure tallies, checked once at the end so the counts stay readable. */
static bool saw_unavailable;
static int bad_audio, bad_sequence, bad_thru, bad_latency, bad_status, blocks_run, midi_sent, midi_back;

/* Runs one block: builds the input (MIDI + Positions at their offsets), runs, checks. */
typedef struct {
  uint32_t offset;
  Song song;
} Locate;

static void run_block(LilvInstance* inst, LV2_Atom_Forge* f, uint32_t n, const Midi* midi, int n_midi,
                      const Locate* locs, int n_locs, uint32_t out_capacity, bool in_place) {
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t r = next_rand();
    audio_in[i] = (r % 97 == 0) ? 1e-40f /* a denormal */ : ((float)(r >> 8) / 8388608.0f - 1.0f);
  }
  memcpy(audio_expect, audio_in, sizeof(float) * n);
  lilv_instance_connect_port(inst, P_OUT, in_place ? audio_in : audio_out);
  for (uint32_t i = 0; i < n; i++) audio_in_r[i] = (float)(next_rand() >> 8) / -8388608.0f;
  memcpy(audio_expect_r, audio_in_r, sizeof(float) * n);
  lilv_instance_connect_port(inst, P_IN_R, stereo ? audio_in_r : NULL);
  lilv_instance_connect_port(inst, P_OUT_R, stereo ? (in_place ? audio_in_r : audio_out_r) : mono_in_stereo_out ? audio_out_r : NULL);

  lv2_atom_forge_set_buffer(f, (uint8_t*)in_buf, sizeof in_buf);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(f, &seq, 0);
  int mi = 0, li = 0;
  for (uint32_t t = 0; t <= n; t++) { /* events in time order; a Position before MIDI on its frame */
    for (; li < n_locs && locs[li].offset == t; li++) forge_position(f, t, &locs[li].song);
    for (; mi < n_midi && midi[mi].offset == t; mi++) {
      lv2_atom_forge_frame_time(f, t);
      lv2_atom_forge_atom(f, midi[mi].size, u_midi);
      lv2_atom_forge_write(f, midi[mi].msg, midi[mi].size);
    }
  }
  lv2_atom_forge_pop(f, &seq);

  LV2_Atom_Sequence* out = (LV2_Atom_Sequence*)out_buf;
  out->atom.type = u_chunk; /* what a host hands over: a Chunk whose size is the capacity */
  out->atom.size = out_capacity - (uint32_t)sizeof(LV2_Atom);
  controls[P_LATENCY] = -1.0f;
  controls[P_STATUS] = -1.0f;

  lilv_instance_run(inst, n);
  blocks_run++;
  midi_sent += n_midi;

  const float* audio_result = in_place ? audio_in : audio_out;
  if (memcmp(audio_result, audio_expect, sizeof(float) * n) != 0) bad_audio++;
  if (stereo) {
    stereo_blocks++;
    if (memcmp(in_place ? audio_in_r : audio_out_r, audio_expect_r, sizeof(float) * n) != 0) bad_audio_r++;
  }
  if (mono_in_stereo_out) { /* the right output carries the left input (dual mono) */
    dual_mono_blocks++;
    if (memcmp(audio_out_r, audio_expect, sizeof(float) * n) != 0) bad_audio_r++;
  }
  if (controls[P_LATENCY] != 0.0f) bad_latency++;
  /* run with no JRE to be found (Makefile): 1 (starting) until the loader gives up, then 2 for good */
  if (controls[P_STATUS] == 2.0f) saw_unavailable = true;
  else if (!(controls[P_STATUS] == 1.0f && !saw_unavailable)) bad_status++;

  /* a valid Sequence: type, size within capacity, events inside the block and in time order */
  bool valid = out->atom.type == u_sequence && out->atom.size >= sizeof(LV2_Atom_Sequence_Body) &&
               out->atom.size + sizeof(LV2_Atom) <= out_capacity && out->body.unit == 0;
  int got = 0;
  int64_t last = 0;
  if (valid) {
    LV2_ATOM_SEQUENCE_FOREACH (out, ev) {
      const int64_t t = ev->time.frames;
      if (t < last || t >= (int64_t)(n ? n : 1) || ev->body.type != u_midi) valid = false;
      last = t;
      /* without Java the output is exactly the thru of the input, event for event */
      if (got < n_midi && (t != midi[got].offset || ev->body.size != midi[got].size ||
                           memcmp(ev + 1, midi[got].msg, midi[got].size) != 0))
        bad_thru++;
      got++;
    }
  }
  if (!valid) bad_sequence++;
  /* all of it back when it fits; with a tiny buffer none of it (and still a valid Sequence) */
  /* the plugin takes atom.size as the whole buffer (the safe reading), so that is its room */
  const uint32_t room = out_capacity - (uint32_t)sizeof(LV2_Atom);
  const int fits = room < sizeof(LV2_Atom_Sequence) ? 0
                   : (int)((room - sizeof(LV2_Atom_Sequence)) / (sizeof(LV2_Atom_Event) + 8));
  const int want = n_midi < fits ? n_midi : fits;
  if (got != want) bad_thru++;
  midi_back += got;
}

static void connect_all(LilvInstance* inst) {
  lilv_instance_connect_port(inst, P_IN, audio_in);
  lilv_instance_connect_port(inst, P_OUT, audio_out);
  lilv_instance_connect_port(inst, P_EVENTS, in_buf);
  lilv_instance_connect_port(inst, P_MIDI_OUT, out_buf);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) lilv_instance_connect_port(inst, p, &controls[p]);
}

/* The prompt (the Compose engine's text property): one block with a patch:Set of `text` (or a
   patch:Get when text is NULL) on events_in; what midi_out tells of the prompt is copied into
   `told` (empty when nothing). Returns how many patch:Set of the prompt came out. */
static int prompt_block(LilvInstance* inst, LV2_Atom_Forge* f, const char* text, char* told, size_t cap) {
  LV2_URID_Map* m = &map;
  const LV2_URID set = m->map(m->handle, LV2_PATCH__Set), get = m->map(m->handle, LV2_PATCH__Get),
                 property = m->map(m->handle, LV2_PATCH__property), value = m->map(m->handle, LV2_PATCH__value),
                 prompt = m->map(m->handle, PIANOLA_LV2_PROMPT_URI), string = m->map(m->handle, LV2_ATOM__String);
  lv2_atom_forge_set_buffer(f, (uint8_t*)in_buf, sizeof in_buf);
  LV2_Atom_Forge_Frame seq, obj;
  lv2_atom_forge_sequence_head(f, &seq, 0);
  lv2_atom_forge_frame_time(f, 0);
  lv2_atom_forge_object(f, &obj, 0, text ? set : get);
  if (text) {
    lv2_atom_forge_key(f, property);
    lv2_atom_forge_urid(f, prompt);
    lv2_atom_forge_key(f, value);
    lv2_atom_forge_string(f, text, (uint32_t)strlen(text));
  }
  lv2_atom_forge_pop(f, &obj);
  lv2_atom_forge_pop(f, &seq);
  LV2_Atom_Sequence* out = (LV2_Atom_Sequence*)out_buf;
  out->atom.type = u_chunk;
  out->atom.size = OUT_CAP - (uint32_t)sizeof(LV2_Atom);
  lilv_instance_connect_port(inst, P_OUT, audio_out);
  lilv_instance_run(inst, 64);
  int n = 0;
  told[0] = '\0';
  LV2_ATOM_SEQUENCE_FOREACH (out, ev) {
    if (ev->body.type != f->Object || ((const LV2_Atom_Object*)&ev->body)->body.otype != set) continue;
    const LV2_Atom *p = NULL, *v = NULL;
    lv2_atom_object_get((const LV2_Atom_Object*)&ev->body, property, &p, value, &v, 0);
    if (!p || p->type != f->URID || ((const LV2_Atom_URID*)p)->body != prompt || !v || v->type != string) continue;
    snprintf(told, cap, "%.*s", (int)v->size, (const char*)LV2_ATOM_BODY_CONST(v));
    n++;
  }
  return n;
}

static float saved_controls[N_PORTS];
static const void* port_value(const char* symbol, void* data, uint32_t* size, uint32_t* type) {
  (void)data;
  for (uint32_t p = 0; p < N_PORTS; p++)
    if (IS_CONTROL(p) && !strcmp(SYMBOLS[p], symbol)) {
      *size = sizeof(float);
      *type = map.map(map.handle, LV2_ATOM__Float);
      return &saved_controls[p];
    }
  *size = 0;
  *type = 0;
  return NULL;
}
static void set_port_value(const char* symbol, void* data, const void* value, uint32_t size, uint32_t type) {
  (void)symbol, (void)data, (void)value, (void)size, (void)type; /* the controls are the host's: not what this checks */
}

/* The song: 120 BPM, tempo change to 90 at block 1000, loop back to the start mid-block at 2000,
   stop at 3000, roll again at 3100; MIDI notes at scattered frames throughout. */
static void play_song(LilvInstance* inst, LV2_Atom_Forge* f) {
  Song song = {0, 0.0, 120.0, 1.0};
  for (int b = 0; b < 4000; b++) {
    const uint32_t n = 256;
    Midi midi[4];
    int n_midi = 0;
    if (b % 7 == 0) midi[n_midi++] = (Midi){(uint32_t)(b * 13) % n, 3, {0x90, (uint8_t)(48 + b % 36), 100}};
    if (b % 7 == 3) midi[n_midi++] = (Midi){(uint32_t)(b * 29) % n, 3, {0x80, (uint8_t)(48 + (b - 3) % 36), 0}};
    if (b % 500 == 1) midi[n_midi++] = (Midi){255, 2, {0xC0, 0, 0}};          /* program change: 2 bytes */
    if (b == 2000) midi[n_midi++] = (Midi){128, 3, {0x90, 60, 90}};            /* on the loop jump's frame */
    /* keep each block's MIDI in frame order */
    for (int i = 1; i < n_midi; i++)
      for (int j = i; j > 0 && midi[j].offset < midi[j - 1].offset; j--) {
        const Midi tmp = midi[j];
        midi[j] = midi[j - 1];
        midi[j - 1] = tmp;
      }
    Locate locs[2];
    int n_locs = 0;
    if (b == 1000) song.bpm = 90.0;
    if (b == 3000) song.speed = 0.0;
    if (b == 3100) song.speed = 1.0;
    /* Ardour: a Position every cycle while rolling; stopped, nothing changes and nothing is sent */
    if (!(b > 3000 && b < 3100)) locs[n_locs++] = (Locate){0, song};
    if (b == 2000) {
      /* the loop jumps back to bar 0 at frame 128 of this block */
      locs[n_locs++] = (Locate){128, (Song){0, 0.0, song.bpm, 1.0}};
      run_block(inst, f, n, midi, n_midi, locs, n_locs, OUT_CAP, false);
      song = (Song){n - 128, (n - 128) * song.bpm / 60.0 / RATE, song.bpm, 1.0};
      continue;
    }
    run_block(inst, f, n, midi, n_midi, locs, n_locs, OUT_CAP, false);
    song.frame += (int64_t)(n * song.speed);
    song.beat += n * song.speed * song.bpm / 60.0 / RATE;
  }
}

int main(void) {
  map_host_uris(&map);

  LilvWorld* world = lilv_world_new();
  lilv_world_load_all(world); /* honours LV2_PATH: the Makefile points it at target/ */
  LilvNode* uri = lilv_new_uri(world, PLUGIN_URI);
  const LilvPlugin* plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  CHECK(plugin != NULL, "bundle found in LV2_PATH=%s", getenv("LV2_PATH") ? getenv("LV2_PATH") : "(unset)");
  if (!plugin) return check_summary("lv2_test_host");

  /* the declaration the host sees */
  CHECK(lilv_plugin_get_num_ports(plugin) == N_PORTS, "%u ports", lilv_plugin_get_num_ports(plugin));
  for (uint32_t p = 0; p < N_PORTS; p++) {
    LilvNode* sym = lilv_new_string(world, SYMBOLS[p]);
    const LilvPort* port = lilv_plugin_get_port_by_symbol(plugin, sym);
    CHECK(port && lilv_port_get_index(plugin, port) == p, "port %s at index %u", SYMBOLS[p], p);
    lilv_node_free(sym);
  }
  CHECK(lilv_plugin_has_latency(plugin) && lilv_plugin_get_latency_port_index(plugin) == P_LATENCY,
        "latency reported by port %d", P_LATENCY);
  LilvNodes* required = lilv_plugin_get_required_features(plugin);
  CHECK(lilv_nodes_size(required) == 1, "one required feature (urid:map)");
  lilv_nodes_free(required);

  LV2_Feature map_f = {LV2_URID__map, &map}, unmap_f = {LV2_URID__unmap, &unmap};
  LV2_Feature log_f = {LV2_LOG__log, &log_feature_data};
  const LV2_Feature* features[] = {&map_f, &unmap_f, &log_f, NULL};
  const LV2_Feature* no_features[] = {NULL};

  fprintf(stderr, "(the plugin is expected to log a missing urid:map next)\n");
  CHECK(lilv_plugin_instantiate(plugin, RATE, no_features) == NULL, "refuses to start without urid:map");

  float mins[N_PORTS], maxs[N_PORTS], defs[N_PORTS];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) controls[p] = isnan(defs[p]) ? 0.0f : defs[p];

  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);

  LilvInstance* inst = lilv_plugin_instantiate(plugin, RATE, features);
  CHECK(inst != NULL, "instantiates");
  if (!inst) return check_summary("lv2_test_host");
  connect_all(inst);
  lilv_instance_activate(inst);

  play_song(inst, &forge);
  /* the starter thread logs when its search for Java ends; on a loaded machine that can come after
     the song: wait for it (bounded) rather than race it */
  for (int waited_ms = 0; atomic_load(&log_lines) < 1 && waited_ms < 10000; waited_ms++) {
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  CHECK(atomic_load(&log_lines) >= 1, "logs through log:log when offered (why Java is unavailable)");

  /* odd block sizes (0, 1, 17, 1024) and in-place audio */
  const uint32_t sizes[4] = {0, 1, 17, MAX_BLOCK};
  for (int i = 0; i < 40; i++) {
    const uint32_t n = sizes[i % 4];
    Midi m = {n ? n - 1 : 0, 3, {0x90, 64, 64}};
    run_block(inst, &forge, n, &m, n ? 1 : 0, NULL, 0, OUT_CAP, i % 3 == 0);
  }
  /* the same with the right channel connected (a stereo track): both channels pass bit-exactly */
  stereo = true;
  for (int i = 0; i < 40; i++) {
    const uint32_t n = sizes[i % 4];
    Midi sm = {n ? n - 1 : 0, 3, {0x90, 64, 64}};
    run_block(inst, &forge, n, &sm, n ? 1 : 0, NULL, 0, OUT_CAP, i % 3 == 0);
  }
  stereo = false;
  /* a mono track that gave the plug-in two outputs: right output connected, right input not */
  mono_in_stereo_out = true;
  for (int i = 0; i < 10; i++) run_block(inst, &forge, 256, NULL, 0, NULL, 0, OUT_CAP, false);
  mono_in_stereo_out = false;
  /* an output buffer with room for nothing but the Sequence header: still valid, just empty */
  Midi m = {10, 3, {0x90, 65, 64}};
  for (int i = 0; i < 10; i++) run_block(inst, &forge, 256, &m, 1, NULL, 0, (uint32_t)sizeof(LV2_Atom_Sequence), false);
  /* a flood: 500 events in one block; as many as fit come back, in order */
  static Midi flood[500];
  for (int i = 0; i < 500; i++) flood[i] = (Midi){(uint32_t)i / 2, 3, {0x90, (uint8_t)(i % 128), 1}};
  run_block(inst, &forge, 256, flood, 500, NULL, 0, OUT_CAP, false);

  /* deactivate / activate, then a fresh start with a Position */
  lilv_instance_deactivate(inst);
  lilv_instance_activate(inst);
  const Locate start = {0, {0, 0.0, 140.0, 1.0}};
  for (int i = 0; i < 50; i++) run_block(inst, &forge, 256, NULL, 0, &start, i == 0, OUT_CAP, false);
  lilv_instance_deactivate(inst);
  lilv_instance_free(inst);

  CHECK(bad_audio == 0, "audio bit-exact through %d blocks (%d differ)", blocks_run, bad_audio);
  CHECK(stereo_blocks == 40 && dual_mono_blocks == 10 && bad_audio_r == 0,
        "the right channel bit-exact through %d stereo blocks, the left on it through %d with no right input (%d differ)",
        stereo_blocks, dual_mono_blocks, bad_audio_r);
  CHECK(bad_sequence == 0, "a valid output Sequence every block (%d bad)", bad_sequence);
  CHECK(bad_thru == 0, "player MIDI out on exactly its frames (%d blocks wrong; %d sent, %d back)", bad_thru,
        midi_sent, midi_back);
  CHECK(bad_latency == 0, "latency port written (0) every block (%d not)", bad_latency);
  CHECK(bad_status == 0, "status port written (1 starting, then 2 Java unavailable) every block (%d not)", bad_status);
  CHECK(blocks_run > 4000, "%d blocks run", blocks_run);

  /* the prompt: set by patch:Set (told back on midi_out), saved by the host through the state
     extension as text, restored into a fresh instance, which tells it when asked (patch:Get) */
  {
    const char* prompt = "warm lo-fi piano with soft pads, caf\xc3\xa9 jazz";
    char told[PN_PROMPT_MAX_BYTES + 1];
    LilvInstance* a = lilv_plugin_instantiate(plugin, RATE, features);
    connect_all(a);
    lilv_instance_activate(a);
    CHECK(prompt_block(a, &forge, NULL, told, sizeof told) == 1 && told[0] == '\0', "patch:Get: the new instance's prompt is empty ('%s')", told);
    CHECK(prompt_block(a, &forge, prompt, told, sizeof told) == 1 && !strcmp(told, prompt), "patch:Set is told back on midi_out ('%s')", told);
    CHECK(prompt_block(a, &forge, NULL, told, sizeof told) == 1 && !strcmp(told, prompt), "and kept ('%s')", told);
    LilvState* state = lilv_state_new_from_instance(plugin, a, &map, NULL, NULL, NULL, NULL, port_value, NULL, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE,
                                                    features);
    char* text = state ? lilv_state_to_string(world, &map, &unmap, state, "urn:pianola:test-state", NULL) : NULL;
    CHECK(text && strstr(text, "pianola#prompt") && strstr(text, "soft pads"), "the host's saved state holds the prompt as text:\n%s", text ? text : "(none)");
    LilvState* parsed = text ? lilv_state_new_from_string(world, &map, text) : NULL;
    LilvInstance* b = lilv_plugin_instantiate(plugin, RATE, features);
    connect_all(b);
    lilv_instance_activate(b);
    if (parsed) lilv_state_restore(parsed, b, set_port_value, NULL, 0, features);
    CHECK(prompt_block(b, &forge, NULL, told, sizeof told) >= 1 && !strcmp(told, prompt), "restored into a fresh instance ('%s')", told);
    lilv_state_free(parsed);
    lilv_free(text);
    lilv_state_free(state);
    lilv_instance_deactivate(a);
    lilv_instance_free(a);
    lilv_instance_deactivate(b);
    lilv_instance_free(b);
  }

  /* 100 instantiate / run / cleanup cycles */
  int cycles = 0;
  for (int i = 0; i < 100; i++) {
    LilvInstance* again = lilv_plugin_instantiate(plugin, RATE, features);
    if (!again) break;
    saw_unavailable = false; /* a new instance starts at 1 again */
    connect_all(again);
    lilv_instance_activate(again);
    for (int b = 0; b < 4; b++) run_block(again, &forge, 256, NULL, 0, &start, b == 0, OUT_CAP, false);
    lilv_instance_deactivate(again);
    lilv_instance_free(again);
    cycles++;
  }
  CHECK(cycles == 100, "100 instantiate/run/cleanup cycles (%d)", cycles);
  CHECK(bad_audio == 0 && bad_sequence == 0 && bad_status == 0, "and every block of them was right");

  lilv_node_free(uri);
  lilv_world_free(world);
  test_urids_free(&urids);
  return check_summary("lv2_test_host");
}
