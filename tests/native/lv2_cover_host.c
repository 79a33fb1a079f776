/* lv2_cover_host.c: the audio-track cover of the ASSEMBLED bundle, in a lilv host with the real JVM.
   Usage: lv2_cover_host SONG.wav OFFLINE.mid CAPTURE_DIR
     SONG.wav     rendered piano, mono 16-bit PCM at 48 kHz (the Makefile renders it with `pianola render`)
     OFFLINE.mid  `pianola cover SONG.wav --bpm 120 --first-beat 0` of the same audio: the reference
     CAPTURE_DIR  empty; PIANOLA_CAPTURE_DIR must name it (the plug-in's capture goes there)
   The song goes in on both channels (a stereo track; the plug-in hears their mean).
   The host rolls its transport from frame 0 at 120 BPM in 4/4 (one time:Position at the start),
   listen = audio, lag = 2 bars, freewheeling (run() waits for Java, Java for the bar's cover: the
   comparison is about what is played, not how fast). It feeds the song block by block, then three
   bars of silence, and checks:
     - audio passes bit for bit, both channels;
     - the note-ons it plays, shifted back by the lag, match the offline cover's onsets on the bars
       covered (F1, onset within 50 ms, pitch exact; printed, with a floor a broken session fails);
     - every note-on has its note-off;
     - capture (port 18's rising edge) writes a type-1 SMF at 120 BPM into CAPTURE_DIR holding
       exactly the notes played, at the bars they cover; a second capture makes a second file. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/urid/urid.h>

#include "check.h"
#include "host_log.h"
#include "host_uris.h"
#include "pianola_ports.h"
#include "test_urid.h"

#define RATE 48000.0
#define BLOCK 256u
#define IN_CAP 4096
#define OUT_CAP 16384
#define MAX_NOTES 20000
#define FRAMES_PER_BEAT 24000.0 /* 120 BPM at 48 kHz */
#define BAR_BEATS 4.0
#define LAG_BARS 2
#define ONSET_TOLERANCE_BEATS 0.1 /* 50 ms at 120 BPM */
#define F1_FLOOR 0.8

static TestUrids urids;
static LV2_URID_Map map = {&urids, test_urid_map};
static LV2_URID_Unmap unmap = {&urids, test_urid_unmap};

typedef struct {
  double beat;
  int pitch;
} Onset;

/* ---- files ---- */

static uint8_t* slurp(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* b = malloc(*len ? *len : 1);
  if (b && fread(b, 1, *len, f) != *len) {
    free(b);
    b = NULL;
  }
  fclose(f);
  return b;
}

static uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t be32(const uint8_t* p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint16_t be16(const uint8_t* p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Mono 16-bit PCM WAV at 48 kHz to floats; NULL (and why) otherwise. */
static float* read_wav(const char* path, size_t* frames) {
  size_t len;
  uint8_t* b = slurp(path, &len);
  if (!b || len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
    fprintf(stderr, "%s: not a RIFF/WAVE file\n", path);
    free(b);
    return NULL;
  }
  int channels = 0, bits = 0;
  uint32_t rate = 0;
  float* out = NULL;
  for (size_t at = 12; at + 8 <= len;) {
    const uint32_t size = le32(b + at + 4);
    if (!memcmp(b + at, "fmt ", 4) && size >= 16) {
      channels = le16(b + at + 10);
      rate = le32(b + at + 12);
      bits = le16(b + at + 22);
    } else if (!memcmp(b + at, "data", 4)) {
      if (channels != 1 || bits != 16 || rate != 48000) {
        fprintf(stderr, "%s: expected mono 16-bit 48 kHz, got %d ch %d bit %u Hz\n", path, channels, bits, rate);
        break;
      }
      const size_t n = (size > len - at - 8 ? len - at - 8 : size) / 2;
      out = malloc(n * sizeof(float));
      for (size_t i = 0; i < n; i++) out[i] = (int16_t)le16(b + at + 8 + 2 * i) / 32768.0f;
      *frames = n;
      break;
    }
    at += 8 + size + (size & 1);
  }
  free(b);
  return out;
}

/* Note-on onsets (velocity > 0) of every track of a standard MIDI file, in beats; -1 on error. */
static int read_smf_onsets(const char* path, Onset* out, int max, double* tempo_bpm, int* type) {
  size_t len;
  uint8_t* b = slurp(path, &len);
  if (!b || len < 14 || memcmp(b, "MThd", 4)) {
    free(b);
    return -1;
  }
  *type = be16(b + 8);
  const int tracks = be16(b + 10), ppq = be16(b + 12);
  *tempo_bpm = 120.0;
  int n = 0;
  size_t at = 8 + be32(b + 4);
  for (int t = 0; t < tracks && at + 8 <= len; t++) {
    if (memcmp(b + at, "MTrk", 4)) break;
    const size_t end = at + 8 + be32(b + at + 4);
    size_t p = at + 8;
    uint64_t tick = 0;
    uint8_t status = 0;
    while (p < end && p < len) {
      uint32_t delta = 0;
      do delta = (delta << 7) | (b[p] & 0x7F);
      while (b[p++] & 0x80);
      tick += delta;
      if (b[p] == 0xFF) { /* meta: tempo is 0x51 */
        const uint8_t kind = b[p + 1];
        uint32_t l = 0;
        p += 2;
        do l = (l << 7) | (b[p] & 0x7F);
        while (b[p++] & 0x80);
        if (kind == 0x51 && l == 3) *tempo_bpm = 60e6 / (b[p] << 16 | b[p + 1] << 8 | b[p + 2]);
        p += l;
        continue;
      }
      if (b[p] == 0xF0 || b[p] == 0xF7) {
        uint32_t l = 0;
        p++;
        do l = (l << 7) | (b[p] & 0x7F);
        while (b[p++] & 0x80);
        p += l;
        continue;
      }
      if (b[p] & 0x80) status = b[p++];
      const int kind = status & 0xF0, n_data = (kind == 0xC0 || kind == 0xD0) ? 1 : 2;
      if (kind == 0x90 && b[p + 1] > 0 && n < max) out[n++] = (Onset){(double)tick / ppq, b[p]};
      p += n_data;
    }
    at = end;
  }
  free(b);
  return n;
}

/* ---- matching ---- */

static int by_beat(const void* a, const void* b) {
  const double d = ((const Onset*)a)->beat - ((const Onset*)b)->beat;
  return d < 0 ? -1 : d > 0;
}

/* Onsets matched one to one (same pitch, within tol), nearest first: greedy, so a lower bound. */
static int match(const Onset* ref, int nr, const Onset* est, int ne, double tol) {
  bool* used = calloc((size_t)ne + 1, 1);
  int m = 0;
  for (int i = 0; i < nr; i++) {
    int best = -1;
    double bd = tol + 1e-9;
    for (int j = 0; j < ne; j++) {
      const double d = fabs(est[j].beat - ref[i].beat);
      if (!used[j] && est[j].pitch == ref[i].pitch && d <= bd) {
        bd = d;
        best = j;
      }
    }
    if (best >= 0) {
      used[best] = true;
      m++;
    }
  }
  free(used);
  return m;
}

/* ---- the host ---- */

static LilvInstance* inst;
static float audio_in[BLOCK], audio_out[BLOCK], controls[N_PORTS];
/* a stereo track: the song on both channels (the plug-in listens to their mean) */
static float audio_in_r[BLOCK], audio_out_r[BLOCK];
static uint64_t in_buf[IN_CAP / 8], out_buf[OUT_CAP / 8];
static Onset played[MAX_NOTES];
static int n_played, n_offs, bad_audio;
static int64_t rolled; /* frames since the transport started rolling (-1: not yet) */

/* One run(): a Position at frame 0 when `start`, the samples, the output collected. */
static void run_block(const float* samples, bool start, bool rolling) {
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, (uint8_t*)in_buf, IN_CAP);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(&forge, &seq, 0);
  if (start) forge_position_4_4(&forge, 0, 0, 1.0f, 0.0, 120.0, 0);
  lv2_atom_forge_pop(&forge, &seq);
  LV2_Atom_Sequence* out = (LV2_Atom_Sequence*)out_buf;
  out->atom.type = u_chunk;
  out->atom.size = OUT_CAP - sizeof(LV2_Atom);
  for (uint32_t i = 0; i < BLOCK; i++) audio_in[i] = audio_in_r[i] = samples ? samples[i] : 0.0f;
  lilv_instance_run(inst, BLOCK);
  for (uint32_t i = 0; i < BLOCK; i++) bad_audio += (audio_out[i] != audio_in[i]) + (audio_out_r[i] != audio_in_r[i]);
  if (out->atom.type == u_sequence) {
    LV2_ATOM_SEQUENCE_FOREACH (out, ev) {
      if (ev->body.type != u_midi || ev->body.size != 3) continue;
      const uint8_t* m = (const uint8_t*)(ev + 1);
      const double beat = (rolled + ev->time.frames) / FRAMES_PER_BEAT;
      if ((m[0] & 0xF0) == 0x90 && m[2] > 0 && n_played < MAX_NOTES) played[n_played++] = (Onset){beat - LAG_BARS * BAR_BEATS, m[1]};
      else if ((m[0] & 0xF0) == 0x80 || ((m[0] & 0xF0) == 0x90 && m[2] == 0)) n_offs++;
    }
  }
  if (rolling) rolled += BLOCK;
}

static int count_captures(const char* dir, char* first, size_t len) {
  DIR* d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  for (struct dirent* e; (e = readdir(d));) {
    const size_t l = strlen(e->d_name);
    if (l > 4 && !strcmp(e->d_name + l - 4, ".mid")) {
      if (n++ == 0) snprintf(first, len, "%s/%s", dir, e->d_name);
    }
  }
  closedir(d);
  return n;
}

/* Stopped blocks until `want` capture files exist (the worker writes them), at most 20 s. */
static int wait_captures(const char* dir, int want, char* first, size_t len) {
  int n = 0;
  for (int i = 0; i < 2000 && (n = count_captures(dir, first, len)) < want; i++) {
    run_block(NULL, false, false);
    usleep(10000);
  }
  return n;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: lv2_cover_host SONG.wav OFFLINE.mid CAPTURE_DIR\n");
    return 2;
  }
  map_host_uris(&map);
  size_t frames = 0;
  float* song = read_wav(argv[1], &frames);
  static Onset ref[MAX_NOTES];
  double ref_bpm = 0;
  int ref_type = 0;
  const int n_ref = read_smf_onsets(argv[2], ref, MAX_NOTES, &ref_bpm, &ref_type);
  CHECK(song && frames > 10 * RATE, "song read: %zu frames", frames);
  CHECK(n_ref > 50, "offline cover read: %d notes", n_ref);
  if (!song || n_ref <= 0) return check_summary("lv2_cover_host");

  LilvWorld* world = lilv_world_new();
  lilv_world_load_all(world);
  LilvNode* uri = lilv_new_uri(world, PLUGIN_URI);
  const LilvPlugin* plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  CHECK(plugin && lilv_plugin_get_num_ports(plugin) == N_PORTS, "bundle found, %d ports", plugin ? (int)lilv_plugin_get_num_ports(plugin) : -1);
  if (!plugin) return check_summary("lv2_cover_host");
  LV2_Feature map_f = {LV2_URID__map, &map}, unmap_f = {LV2_URID__unmap, &unmap}, log_f = {LV2_LOG__log, &host_log};
  const LV2_Feature* features[] = {&map_f, &unmap_f, &log_f, NULL};
  inst = lilv_plugin_instantiate(plugin, RATE, features);
  CHECK(inst != NULL, "instantiated");
  if (!inst) return check_summary("lv2_cover_host");
  float mins[N_PORTS], maxs[N_PORTS], defs[N_PORTS];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) controls[p] = isnan(defs[p]) ? 0.0f : defs[p];
  controls[P_LISTEN] = 2.0f; /* audio */
  controls[P_LAG] = (float)LAG_BARS;
  controls[P_FREEWHEEL] = 1.0f;
  lilv_instance_connect_port(inst, P_IN, audio_in);
  lilv_instance_connect_port(inst, P_OUT, audio_out);
  lilv_instance_connect_port(inst, P_IN_R, audio_in_r);
  lilv_instance_connect_port(inst, P_OUT_R, audio_out_r);
  lilv_instance_connect_port(inst, P_EVENTS, in_buf);
  lilv_instance_connect_port(inst, P_MIDI_OUT, out_buf);
  for (uint32_t p = 4; p < N_PORTS; p++) if (IS_CONTROL(p)) lilv_instance_connect_port(inst, p, &controls[p]);
  lilv_instance_activate(inst);

  controls[P_STATUS] = -1.0f; /* run() writes it every block */
  for (int i = 0; i < 5000 && controls[P_STATUS] != 0.0f; i++) { /* the JVM starts on its own thread */
    run_block(NULL, false, false);
    usleep(2000);
  }
  CHECK(controls[P_STATUS] == 0.0f, "Java running (status %g)", controls[P_STATUS]);

  /* the song, then three bars of silence for the last covers to play */
  const size_t blocks = frames / BLOCK, tail = (size_t)(3 * BAR_BEATS * FRAMES_PER_BEAT / BLOCK);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (size_t b = 0; b < blocks + tail; b++) run_block(b < blocks ? song + b * BLOCK : NULL, b == 0, true);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

  /* the bars covered: every bar whose end plus the lookahead (0.5 s = 1 beat) was heard */
  const double covered = floor((blocks * BLOCK / FRAMES_PER_BEAT - 1.0) / BAR_BEATS) * BAR_BEATS;
  static Onset ref_in[MAX_NOTES];
  int nr = 0;
  for (int i = 0; i < n_ref; i++)
    if (ref[i].beat < covered) ref_in[nr++] = ref[i];
  const int m = match(ref_in, nr, played, n_played, ONSET_TOLERANCE_BEATS);
  const double p = n_played ? (double)m / n_played : 0, r = nr ? (double)m / nr : 0, f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
  printf("lv2_cover_host: %.0f beats covered at 120 BPM, lag %d bars: plug-in vs `pianola cover`: P %.3f R %.3f F1 %.3f (%d matched, %d offline, %d played); %.1f s of audio in %.1f s (freewheel)\n",
         covered, LAG_BARS, p, r, f1, m, nr, n_played, blocks * BLOCK / RATE, wall);
  CHECK(bad_audio == 0, "audio passes bit for bit (%d samples differ)", bad_audio);
  CHECK(f1 >= F1_FLOOR, "the live cover matches the offline cover: F1 %.3f >= %.2f", f1, F1_FLOOR);
  CHECK(n_offs == n_played, "every note-on has its note-off (%d on, %d off)", n_played, n_offs);

  /* capture: port 18 up for a block, down again, twice */
  char file[4200] = "";
  const char* dir = argv[3];
  CHECK(count_captures(dir, file, sizeof file) == 0, "capture folder %s starts empty", dir);
  controls[P_CAPTURE] = 1.0f;
  run_block(NULL, false, false);
  controls[P_CAPTURE] = 0.0f;
  run_block(NULL, false, false);
  CHECK(wait_captures(dir, 1, file, sizeof file) == 1, "capture wrote one file in %s", dir);
  static Onset cap[MAX_NOTES];
  double cap_bpm = 0;
  int cap_type = -1;
  const int n_cap = read_smf_onsets(file, cap, MAX_NOTES, &cap_bpm, &cap_type);
  CHECK(cap_type == 1 && fabs(cap_bpm - 120.0) < 1e-3, "%s: type-1 SMF at 120 BPM (type %d, %.3f BPM)", file, cap_type, cap_bpm);
  CHECK(n_cap == n_played, "the capture holds the notes played (%d, played %d)", n_cap, n_played);
  qsort(cap, (size_t)(n_cap > 0 ? n_cap : 0), sizeof(Onset), by_beat);
  qsort(played, (size_t)n_played, sizeof(Onset), by_beat);
  const int same = n_cap > 0 ? match(played, n_played, cap, n_cap, 1.0 / 480) : 0;
  CHECK(same == n_played, "each played note is in the capture at the bar it covers (%d of %d)", same, n_played);
  controls[P_CAPTURE] = 1.0f;
  run_block(NULL, false, false);
  controls[P_CAPTURE] = 0.0f;
  CHECK(wait_captures(dir, 2, file, sizeof file) == 2, "a second capture is a second file (nothing overwritten)");

  lilv_instance_deactivate(inst);
  lilv_instance_free(inst);
  lilv_node_free(uri);
  lilv_world_free(world);
  free(song);
  test_urids_free(&urids);
  return check_summary("lv2_cover_host");
}
