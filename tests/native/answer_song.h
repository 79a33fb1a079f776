/* answer_song.h: the song every format's answer test plays, and the checks on what came back,
   shared by the LV2 and CLAP hosts (lv2_jvm_host.c, clap_host.c): the host's tempo map (frames
   of beats), the player's phrases, what Java sent (PIANOLA_NOTE_LOG), answer note-ons on exact
   frames, releases at a frame. Header-only: each host is one program. */
#ifndef PIANOLA_ANSWER_SONG_H
#define PIANOLA_ANSWER_SONG_H

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* the song's sample rate (a host may change it: the stress test plays at several) */
static double song_rate = 48000.0;
#define RATE song_rate
#define MAX_EVENTS 20000
#define PLAYER_CH 1 /* the player plays on channel 2; answers come on channel 1 (0) */

/* not every host uses every check */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

/* One MIDI message the plug-in sent, at the absolute frame (frames run through the instance). */
typedef struct {
  int64_t frame; /* absolute: frames run through this instance */
  uint8_t msg[3];
} Ev;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the song: the host's tempo map, for the expected frames ---- */

/* Piecewise tempo: from absolute frame `abs` the beat is `beat` + elapsed * bpm / 60 / RATE. */
typedef struct {
  int64_t abs;
  double beat, bpm;
} Seg;
static Seg segs[16];
static int n_segs;

static void song_at(int64_t abs, double beat, double bpm) { segs[n_segs++] = (Seg){abs, beat, bpm}; }

/* The frame where beat `beat` plays in the segment starting at `s` (first frame whose beat >= it). */
static int64_t frame_of(const Seg* s, double beat) {
  const double fpb = 60.0 * RATE / s->bpm;
  return s->abs + (int64_t)ceil((beat - s->beat) * fpb - 1e-4);
}

/* Absolute frame of a beat in the current (last) segment. */
static int64_t at_beat(double beat) { return frame_of(&segs[n_segs - 1], beat); }

/* The process's resident memory in KiB (/proc/self/statm), for the create/destroy cycles. */
static long rss_kib(void) {
#ifdef _WIN32
  return 0; /* not measured there */
#else
  FILE* f = fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
#endif
}

/* The player's notes: pairs (beat on, beat off, key). */
typedef struct {
  double on, off;
  uint8_t key;
} PNote;


/* ---- what Java sent (PIANOLA_NOTE_LOG) ---- */

typedef struct {
  double beat;
  int status, key, vel, epoch;
} Logged;
static Logged logged[MAX_EVENTS];
static int n_logged;

static void read_note_log(long handle) {
  const char* prefix = getenv("PIANOLA_NOTE_LOG");
  n_logged = 0;
  if (!prefix) return;
  char path[1024];
  snprintf(path, sizeof path, "%s.%ld", prefix, handle);
  FILE* f = fopen(path, "r");
  if (!f) return;
  Logged l;
  while (n_logged < MAX_EVENTS && fscanf(f, "%lf %d %d %d %d", &l.beat, &l.status, &l.key, &l.vel, &l.epoch) == 5) logged[n_logged++] = l;
  fclose(f);
}

static bool is_answer_on(const Ev* e) { return (e->msg[0] & 0xF0) == 0x90 && (e->msg[0] & 0x0F) == 0 && e->msg[2] > 0; }
static bool is_answer_off(const Ev* e) {
  return (e->msg[0] & 0x0F) == 0 && ((e->msg[0] & 0xF0) == 0x80 || ((e->msg[0] & 0xF0) == 0x90 && e->msg[2] == 0));
}

/* Answer note-ons in [from, to): how many, the first frame, and how many are NOT on the exact frame
   of a note-on Java logged (same key) under segment `s`. */
static int answer_ons(const Ev* out, size_t n_out, int64_t from, int64_t to, const Seg* s, int64_t* first, int* off_grid) {
  int n = 0;
  *first = -1;
  if (off_grid) *off_grid = 0;
  for (size_t i = 0; i < n_out; i++) {
    const Ev* e = &out[i];
    if (e->frame < from || e->frame >= to || !is_answer_on(e)) continue;
    if (*first < 0) *first = e->frame;
    n++;
    if (!off_grid) continue;
    bool found = false;
    for (int k = 0; k < n_logged && !found; k++)
      found = (logged[k].status & 0xF0) == 0x90 && logged[k].key == e->msg[1] && frame_of(s, logged[k].beat) == e->frame;
    if (!found) {
      if (*off_grid < 3) fprintf(stderr, "  note-on %d at frame %" PRId64 " (beat %.6f) matches no beat Java sent\n", e->msg[1], e->frame,
                                 s->beat + (double)(e->frame - s->abs) * s->bpm / 60.0 / RATE);
      (*off_grid)++;
    }
  }
  return n;
}

/* Answer notes sounding just before `at` (on, no off yet) and whether each got its off exactly at `at`. */
static void released_at(const Ev* out, size_t n_out, int64_t at, int* sounding, int* released) {
  *sounding = *released = 0;
  int on[128] = {0};
  for (size_t i = 0; i < n_out && out[i].frame < at; i++) {
    if (is_answer_on(&out[i])) on[out[i].msg[1]]++;
    else if (is_answer_off(&out[i]) && on[out[i].msg[1]] > 0) on[out[i].msg[1]]--;
  }
  for (int k = 0; k < 128; k++) {
    if (!on[k]) continue;
    (*sounding)++;
    for (size_t i = 0; i < n_out; i++)
      if (out[i].frame == at && is_answer_off(&out[i]) && out[i].msg[1] == k) {
        (*released)++;
        break;
      }
  }
}

static void phrase_at(PNote* p, double start) {
  const uint8_t keys[5] = {60, 62, 64, 65, 67};
  for (int i = 0; i < 5; i++) p[i] = (PNote){start + i, start + i + 0.5, keys[i]};
}

#endif
