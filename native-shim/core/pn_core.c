/*
 * pn_core.c: one instance, format-neutral (pn_core.h).
 *
 * REAL TIME: pn_core_process runs on the host's audio thread. It never allocates, locks, logs,
 * makes a system call or enters the JVM. All memory it touches (rings, control block, scheduler
 * table) is made in pn_core_create. The rings are lock-free SPSC (spsc_ring.h); the transport and
 * scheduler are plain arithmetic. The one exception is OFFLINE rendering: while FREE_WHEELING is
 * on, it waits (bounded, FREEWHEEL_WAIT_NS per block) for Java to finish the block, so a bounce
 * matches what is heard live; a host rendering offline is not real time.
 *
 * Until Java runs nothing is published for it; when it starts (and after a reset or a lost record)
 * the core RESYNCs: a BLOCK record with the epoch, the transport as it is, every parameter and the
 * prompt.
 *
 * The prompt is a seqlock: the one writer makes `seq` odd, copies, makes it even; a reader copies
 * and keeps the copy only if `seq` was even and unchanged. The audio thread never waits for it: a
 * prompt being written is published a block later.
 *
 * pn_core_process, per block:
 *   1. publish (Java running only): parameters, then the block's MIDI and transport changes, each
 *      at its frame with its beat (computed on a copy of the transport), then the block's input
 *      samples into the audio ring (one memcpy, or two across its wrap), then a BLOCK record;
 *   2. freewheel only: wait until Java's control.processed reaches the block's end;
 *   3. take Java's notes from the note ring, then play the block: MIDI thru and positions at their
 *      frames, scheduled notes at theirs; a drop (scheduler.h) takes again at its frame.
 *
 * Rings (pn_protocol.h, spsc_ring.h): input C -> Java (PnInputRecord), notes Java -> C
 * (PnNoteRecord, scheduler.h), audio C -> Java (float32 mono samples, whole blocks or nothing: a
 * full ring drops the block's samples, counted; never waits).
 */
#define _GNU_SOURCE
#include "pn_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "java_bridge.h"
#include "pn_platform.h"
#include "pn_protocol.h"
#include "scheduler.h"
#include "spsc_ring.h"

/* bounds the scheduler's insert work per block (see scheduler.h) */
#define MAX_TAKE_PER_BLOCK 128u
/* MIDI and parameter records leave this many slots free, so the transport and BLOCK records that
   keep Java's clock and epoch right are the last to be lost when Java falls behind */
#define IN_RING_RESERVE 64u
/* freewheel: the longest a block waits for Java */
#define FREEWHEEL_WAIT_NS 200000000LL

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "parameter values are lock-free atomics");
_Static_assert(PN_PROMPT_MAX_BYTES / PN_PROMPT_CHUNK_BYTES < 256 && PN_PROMPT_MAX_BYTES <= 65535, "a prompt's chunk index is a u8, its length a u16");

struct PnCore {
  PnTransport transport;
  PnScheduler scheduler;
  PnRing* in_ring;
  PnRing* out_ring;
  PnRing* audio_ring;
  PnControl* control;
  PnJava java;
  bool java_started;
  double rate;

  /* parameter values as float bits: set from any thread, read by process */
  _Atomic uint32_t values[PN_PARAM_COUNT];
  float published[PN_PARAM_COUNT]; /* NaN after a resync, so the next block publishes them all */

  /* this block */
  const PnBlock* block;
  bool java_running; /* Java reads the input ring (PLAYED records go to it) */

  int64_t frames;           /* frames run since the instance was made: the input ring's clock */
  bool need_resync;         /* Java's view must be restated (start, reset, a lost record) */
  uint32_t in_dropped;      /* input records lost to a full ring */
  uint32_t audio_dropped;   /* blocks whose samples did not fit the audio ring */
  uint32_t freewheel_timeouts;

  /* the compose prompt (pn_core_set_prompt), and the audio thread's copy of what it publishes */
  _Atomic uint32_t prompt_seq;
  _Atomic uint32_t prompt_len;
  _Atomic unsigned char prompt[PN_PROMPT_MAX_BYTES];
  uint32_t prompt_published_seq;
  bool prompt_unpublished;
  unsigned char prompt_copy[PN_PROMPT_MAX_BYTES];
};

static uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
static float bits_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* 64-byte aligned, zeroed (not real time) */
static void* aligned_zero(size_t bytes) {
  void* p = pn_aligned_alloc(PN_RING_ALIGN, (bytes + PN_RING_ALIGN - 1) / PN_RING_ALIGN * PN_RING_ALIGN);
  if (p) memset(p, 0, bytes);
  return p;
}

PnCore* pn_core_create(const char* bundle_path, PnLineFn log, void* log_ctx) {
  /* aligned: the scheduler table is big and the control block shares its line rules */
  PnCore* c = (PnCore*)aligned_zero(sizeof(PnCore));
  if (!c) return NULL;
  c->in_ring = pn_ring_create(PN_IN_RING_RECORDS, sizeof(PnInputRecord));
  c->out_ring = pn_ring_create(PN_OUT_RING_RECORDS, sizeof(PnNoteRecord));
  c->audio_ring = pn_ring_create(PN_AUDIO_RING_SAMPLES, sizeof(float));
  c->control = (PnControl*)aligned_zero(sizeof(PnControl));
  if (!c->in_ring || !c->out_ring || !c->audio_ring || !c->control) {
    pn_ring_destroy(c->in_ring);
    pn_ring_destroy(c->out_ring);
    pn_ring_destroy(c->audio_ring);
    pn_aligned_free(c->control);
    pn_aligned_free(c);
    return NULL;
  }
  pn_control_init(c->control);
  pn_transport_init(&c->transport, 48000.0);
  pn_scheduler_init(&c->scheduler);
  c->need_resync = true;
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) {
    atomic_init(&c->values[i], float_bits((float)pn_params[i].def));
    c->published[i] = NAN;
  }

  c->prompt_unpublished = true;
  const char* env = getenv("PIANOLA_PROMPT"); /* a new instance's prompt, for hosts that cannot set text */
  if (env) pn_core_set_prompt(c, env, strlen(env));

  PnJava* j = &c->java;
  snprintf(j->bundle, sizeof j->bundle, "%s", bundle_path ? bundle_path : ".");
  const size_t len = strlen(j->bundle);
  if (len > 1 && j->bundle[len - 1] == '/') j->bundle[len - 1] = '\0';
  j->in_ring = c->in_ring;
  j->out_ring = c->out_ring;
  j->audio_ring = c->audio_ring;
  j->control = c->control;
  j->log = log;
  j->log_ctx = log_ctx;
  atomic_init(&j->status, PN_STATUS_STARTING);
  return c;
}

static size_t shared_bytes(void) {
  return pn_ring_bytes(PN_IN_RING_RECORDS, sizeof(PnInputRecord)) + pn_ring_bytes(PN_OUT_RING_RECORDS, sizeof(PnNoteRecord)) +
         pn_ring_bytes(PN_AUDIO_RING_SAMPLES, sizeof(float)) + sizeof(PnControl);
}

void pn_core_start(PnCore* c, double rate) {
  if (c->java_started && rate == c->rate) return;
  if (c->java_started) {
    /* another sample rate: Java's clock and the audio it hears change, so its side starts again */
    if (!pn_java_stop(&c->java)) {
      if (c->java.log) c->java.log(c->java.log_ctx, true, "pianola: the Java side did not stop for the new sample rate; MIDI thru only");
      atomic_store(&c->java.status, PN_STATUS_ERROR);
      c->rate = rate;
      return;
    }
    pn_ring_init(c->in_ring, PN_IN_RING_RECORDS, sizeof(PnInputRecord));
    pn_ring_init(c->out_ring, PN_OUT_RING_RECORDS, sizeof(PnNoteRecord));
    pn_ring_init(c->audio_ring, PN_AUDIO_RING_SAMPLES, sizeof(float));
    pn_control_init(c->control);
  }
  c->rate = rate;
  c->java.rate = rate;
  pn_transport_init(&c->transport, rate);
  c->need_resync = true;
  c->java_started = true;
  pn_java_start(&c->java); /* returns at once; the JVM starts on a thread of its own */
}

void pn_core_reset(PnCore* c) {
  /* no transport, no sounding notes. Dropping the table moves the epoch on, and the resync tells
     Java (the frame clock keeps counting: Java's clock never goes back) */
  const uint32_t epoch = c->scheduler.epoch + 1;
  pn_transport_init(&c->transport, c->rate > 0 ? c->rate : 48000.0);
  pn_scheduler_init(&c->scheduler);
  c->scheduler.epoch = epoch;
  c->need_resync = true;
}

void pn_core_set_param(PnCore* c, unsigned id, double value) {
  float v;
  if (id >= PN_PARAM_COUNT || (pn_params[id].flags & PN_PARAM_OUTPUT) || !pn_param_sanitize(id, value, &v)) return;
  atomic_store_explicit(&c->values[id], float_bits(v), memory_order_relaxed);
}

float pn_core_param(const PnCore* c, unsigned id) {
  if (id >= PN_PARAM_COUNT) return 0.0f;
  if (id == PN_PARAM_STATUS) return (float)pn_core_status(c); /* an output: read where it lives */
  return bits_float(atomic_load_explicit(&((PnCore*)c)->values[id], memory_order_relaxed));
}

/* the length of text cut to at most max bytes, not inside a UTF-8 character */
static size_t utf8_cut(const char* text, size_t len, size_t max) {
  if (len <= max) return len;
  size_t n = max;
  while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--; /* text[n] continues a character: cut before it */
  return n;
}

void pn_core_set_prompt(PnCore* c, const char* text, size_t len) {
  if (!text) len = 0;
  len = utf8_cut(text, len, PN_PROMPT_MAX_BYTES);
  const uint32_t seq = atomic_load_explicit(&c->prompt_seq, memory_order_relaxed);
  atomic_store_explicit(&c->prompt_seq, seq + 1, memory_order_relaxed); /* odd: being written */
  atomic_thread_fence(memory_order_release);
  for (size_t i = 0; i < len; i++) atomic_store_explicit(&c->prompt[i], (unsigned char)text[i], memory_order_relaxed);
  atomic_store_explicit(&c->prompt_len, (uint32_t)len, memory_order_relaxed);
  atomic_store_explicit(&c->prompt_seq, seq + 2, memory_order_release); /* even: whole */
}

/* One try at a consistent copy (len bytes into out, which holds PN_PROMPT_MAX_BYTES); false while
   a write is under way. Wait-free. */
static bool prompt_read(const PnCore* c, unsigned char* out, uint32_t* len, uint32_t* seq_out) {
  PnCore* m = (PnCore*)c;
  const uint32_t seq = atomic_load_explicit(&m->prompt_seq, memory_order_acquire);
  if (seq & 1u) return false;
  uint32_t n = atomic_load_explicit(&m->prompt_len, memory_order_relaxed);
  if (n > PN_PROMPT_MAX_BYTES) n = PN_PROMPT_MAX_BYTES;
  for (uint32_t i = 0; i < n; i++) out[i] = atomic_load_explicit(&m->prompt[i], memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  if (atomic_load_explicit(&m->prompt_seq, memory_order_relaxed) != seq) return false;
  *len = n;
  if (seq_out) *seq_out = seq;
  return true;
}

size_t pn_core_prompt(const PnCore* c, char* out, size_t cap) {
  unsigned char text[PN_PROMPT_MAX_BYTES];
  uint32_t len = 0;
  while (!prompt_read(c, text, &len, NULL)) {
    /* a write is under way on another thread: it is a bounded copy */
  }
  if (cap == 0) return len;
  const size_t n = len < cap - 1 ? len : cap - 1;
  memcpy(out, text, n);
  out[n] = '\0';
  return len;
}

int pn_core_status(const PnCore* c) {
  const int s = atomic_load_explicit(&((PnCore*)c)->java.status, memory_order_acquire);
  if (s != PN_STATUS_OK) return s;
  return atomic_load_explicit(&c->control->java_status, memory_order_acquire) == PN_STATUS_ERROR ? PN_STATUS_ERROR : PN_STATUS_OK;
}

void pn_core_destroy(PnCore* c) {
  if (!c) return;
  /* Java must stop reading the shared memory before it is freed; if it cannot say so, leak it */
  if (c->java_started && !pn_java_stop(&c->java)) {
    char line[200];
    snprintf(line, sizeof line, "pianola: the Java side did not stop; its %zu bytes of shared memory are left allocated", shared_bytes());
    if (c->java.log) c->java.log(c->java.log_ctx, true, line);
    pn_aligned_free(c);
    return;
  }
  pn_ring_destroy(c->in_ring);
  pn_ring_destroy(c->out_ring);
  pn_ring_destroy(c->audio_ring);
  pn_aligned_free(c->control);
  pn_aligned_free(c);
}

/* ---- the audio thread ---- */

/* Pushes one record for Java; `reserve` slots must stay free after it. A loss means Java's view
   is incomplete: the next block restates it. */
static void publish(PnCore* c, const PnInputRecord* r, uint32_t reserve) {
  if (reserve && PN_IN_RING_RECORDS - pn_ring_count(c->in_ring) <= reserve) {
    c->in_dropped++;
    return;
  }
  if (!pn_ring_push(c->in_ring, r)) { /* never wait on the reader */
    c->in_dropped++;
    c->need_resync = true;
  }
}

/* The player's MIDI, passed through. */
static void emit_thru(PnCore* c, uint32_t frame, const uint8_t* msg, uint32_t size) {
  c->block->emit(c->block->emit_ctx, frame, msg, size);
}

/* A generated message (the scheduler's notes and releases): sent, then told to Java as PLAYED
   with its frame, for the instance's virtual MIDI port (which mirrors what the plug-in played). */
static void emit_generated(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  PnCore* c = (PnCore*)ctx;
  c->block->emit(c->block->emit_ctx, frame, msg, size);
  if (!c->java_running || size < 1 || size > 3) return;
  PnInputRecord r = {.time = c->frames + frame, .beat = NAN, .kind = PN_REC_PLAYED};
  r.arg = (uint8_t)size;
  memcpy(r.u.midi, msg, size);
  publish(c, &r, IN_RING_RESERVE);
}

static double beat_of(const PnTransport* t) { return t->has_beat ? pn_transport_beat(t, 0) : NAN; }

static void publish_transport(PnCore* c, const PnTransport* t, int64_t time, unsigned arg) {
  PnInputRecord r = {.time = time, .beat = beat_of(t), .kind = PN_REC_TRANSPORT};
  r.arg = (uint8_t)(arg | (pn_transport_rolling(t) ? PN_TR_ROLLING : 0) | (t->has_beat ? PN_TR_GRID : 0));
  r.beat_unit = (uint16_t)t->beat_unit;
  r.u.value[0] = (float)t->beats_per_bar;
  r.u.value[1] = (float)t->bpm;
  r.u.value[2] = (float)t->speed;
  publish(c, &r, 0);
}

static void publish_block_end(PnCore* c, const PnTransport* t, int64_t time, uint32_t epoch, uint32_t frames, bool audio) {
  PnInputRecord r = {.time = time, .beat = beat_of(t), .kind = PN_REC_BLOCK, .arg = audio ? PN_BLOCK_AUDIO : 0};
  r.u.word[0] = epoch;
  r.u.word[1] = frames;
  r.u.word[2] = (uint32_t)atomic_load_explicit(&c->audio_ring->head, memory_order_relaxed); /* ours alone */
  publish(c, &r, 0);
}

static void publish_params(PnCore* c, const PnTransport* t) {
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) {
    if (pn_params[i].flags & PN_PARAM_OUTPUT) continue;
    const float v = pn_core_param(c, i);
    if (v == c->published[i]) continue; /* NaN never equals: a resync sends all */
    PnInputRecord r = {.time = c->frames, .beat = beat_of(t), .kind = PN_REC_PARAMETER};
    r.arg = (uint8_t)i;
    r.u.value[0] = v;
    const uint32_t before = c->in_dropped;
    publish(c, &r, IN_RING_RESERVE);
    if (c->in_dropped == before) c->published[i] = v; /* else: try again next block */
  }
}

/* The prompt, when it changed or after a resync: every chunk or none (the ring must hold them all
   beside its reserve), a block later if a write is under way. */
static void publish_prompt(PnCore* c, const PnTransport* t) {
  const uint32_t seq = atomic_load_explicit(&c->prompt_seq, memory_order_acquire);
  if (!c->prompt_unpublished && seq == c->prompt_published_seq) return;
  uint32_t len = 0, read_seq = 0;
  if (!prompt_read(c, c->prompt_copy, &len, &read_seq)) return;
  const uint32_t chunks = len == 0 ? 1u : (len + PN_PROMPT_CHUNK_BYTES - 1) / PN_PROMPT_CHUNK_BYTES;
  if (PN_IN_RING_RECORDS - pn_ring_count(c->in_ring) <= IN_RING_RESERVE + chunks) return; /* next block */
  for (uint32_t k = 0; k < chunks; k++) {
    PnInputRecord r = {.time = c->frames, .beat = beat_of(t), .kind = PN_REC_PROMPT};
    r.arg = (uint8_t)k;
    r.beat_unit = (uint16_t)len;
    const uint32_t from = k * PN_PROMPT_CHUNK_BYTES;
    const uint32_t n = len - from < PN_PROMPT_CHUNK_BYTES ? len - from : PN_PROMPT_CHUNK_BYTES;
    if (len) memcpy(r.u.midi, c->prompt_copy + from, n);
    publish(c, &r, 0);
  }
  c->prompt_published_seq = read_seq;
  c->prompt_unpublished = false;
}

/* The right channel joins the left as their mean: the engines listen in mono. Whole block or
   nothing, as pn_ring_push_n; the samples are written straight into the ring's float slots. */
static bool push_mono_mix(PnRing* r, const float* left, const float* right, uint32_t count) {
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  if (count > r->capacity || head - tail > (uint64_t)(r->capacity - count)) return false;
  for (uint32_t i = 0; i < count; i++) {
    float* slot = (float*)pn_ring_slot(r, head + i);
    *slot = 0.5f * (left[i] + right[i]);
  }
  atomic_store_explicit(&r->head, head + count, memory_order_release);
  return true;
}

static void pass_through(const float* in, float* out, uint32_t n) {
  if (in && out && in != out) memmove(out, in, sizeof(float) * n);
  else if (!in && out) memset(out, 0, sizeof(float) * n);
}

static uint32_t clamp_frame(int64_t t, uint32_t done, uint32_t n) {
  return t < (int64_t)done ? done : t > (int64_t)n ? n : (uint32_t)t;
}

/* Step 1: what this block brings, for Java. Uses a copy of the transport, so that the beats and
   drops it reports are exactly those step 3 will meet. */
static void publish_block(PnCore* c, const PnBlock* b) {
  if (c->need_resync && PN_IN_RING_RECORDS - pn_ring_count(c->in_ring) > IN_RING_RESERVE + PN_PARAM_COUNT) {
    c->need_resync = false;
    publish_block_end(c, &c->transport, c->frames, c->scheduler.epoch, 0, false);
    publish_transport(c, &c->transport, c->frames, PN_TR_RESYNC);
    for (unsigned i = 0; i < PN_PARAM_COUNT; i++) c->published[i] = NAN;
    c->prompt_unpublished = true;
  }
  publish_params(c, &c->transport);
  publish_prompt(c, &c->transport);
  PnTransport t = c->transport;
  uint32_t epoch = c->scheduler.epoch;
  uint32_t done = 0;
  for (uint32_t i = 0; i < b->n_events; i++) {
    const PnHostEvent* ev = &b->events[i];
    const uint32_t at = clamp_frame(ev->frame, done, b->frames);
    pn_transport_advance(&t, at - done);
    done = at;
    if (ev->kind == PN_EV_MIDI) {
      if (ev->size >= 1 && ev->size <= 3) {
        PnInputRecord r = {.time = c->frames + at, .beat = beat_of(&t), .kind = PN_REC_MIDI};
        r.arg = (uint8_t)ev->size;
        memcpy(r.u.midi, ev->midi, ev->size);
        publish(c, &r, IN_RING_RESERVE);
      }
    } else if (ev->kind == PN_EV_POSITION) {
      const bool was_rolling = pn_transport_rolling(&t);
      const unsigned flags = pn_transport_apply(&t, &ev->position);
      const bool drops = pn_scheduler_drops(flags, was_rolling, &t);
      if (drops) epoch++;
      if (flags || drops)
        publish_transport(c, &t, c->frames + at, ((flags & PN_TRANSPORT_JUMPED) ? PN_TR_JUMPED : 0) | (drops ? PN_TR_DROPPED : 0));
    }
  }
  pn_transport_advance(&t, b->frames - done);
  /* the input samples, whole or not at all; released before the BLOCK record that names them */
  bool audio = false;
  if (b->in_l && b->frames > 0) {
    audio = b->in_r ? push_mono_mix(c->audio_ring, b->in_l, b->in_r, b->frames) : pn_ring_push_n(c->audio_ring, b->in_l, b->frames);
    if (!audio) c->audio_dropped++;
  }
  publish_block_end(c, &t, c->frames + b->frames, epoch, b->frames, audio);
}

/* Step 2, freewheel only (not real time): until Java has processed up to `until`, bounded. */
static void wait_for_java(PnCore* c, int64_t until) {
  if (atomic_load_explicit(&c->control->processed, memory_order_acquire) >= until) return;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (uint32_t i = 0;; i++) {
    if (atomic_load_explicit(&c->control->processed, memory_order_acquire) >= until) return;
    if (i < 200) continue; /* Java usually answers within microseconds: spin a little first */
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t waited = (int64_t)(now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec);
    if (waited > FREEWHEEL_WAIT_NS) {
      c->freewheel_timeouts++;
      return;
    }
    const struct timespec nap = {0, 20000};
    nanosleep(&nap, NULL);
  }
}

static void take(PnCore* c, uint32_t frame) {
  pn_scheduler_take(&c->scheduler, c->out_ring, MAX_TAKE_PER_BLOCK, &c->transport, frame, emit_generated, c);
}

void pn_core_process(PnCore* c, const PnBlock* b) {
  c->block = b;
  /* audio: straight through, each channel (memmove: hosts may give the same buffer for a
     channel's in and out); a right output with no right input (a mono track that gave the
     plug-in two outputs) carries the left: dual mono, not a silent side */
  pass_through(b->in_l, b->out_l, b->frames);
  pass_through(b->in_r ? b->in_r : b->in_l, b->out_r, b->frames);

  /* the acquire pairs with the starter's release: Java has the buffers once this reads 0 */
  const bool java = atomic_load_explicit(&c->java.status, memory_order_acquire) == PN_STATUS_OK;
  c->java_running = java;
  if (java) {
    publish_block(c, b);
    if (pn_core_param(c, PN_PARAM_FREE_WHEELING) > 0.5f) wait_for_java(c, c->frames + b->frames);
  }
  take(c, 0);

  uint32_t done = 0;
  for (uint32_t i = 0; i < b->n_events; i++) {
    const PnHostEvent* ev = &b->events[i];
    const uint32_t at = clamp_frame(ev->frame, done, b->frames);
    pn_scheduler_play_until(&c->scheduler, &c->transport, &done, at, emit_generated, c);
    if (ev->kind == PN_EV_MIDI) {
      /* MIDI thru: the player still reaches the instrument */
      if (ev->size <= 3) emit_thru(c, at, ev->midi, ev->size);
      else if (ev->long_bytes) emit_thru(c, at, ev->long_bytes, ev->size);
    } else if (ev->kind == PN_EV_POSITION) {
      /* a drop ends what the scheduler was playing; Java's notes for the new position may wait */
      if (pn_scheduler_locate(&c->scheduler, &c->transport, &ev->position, at, emit_generated, c) & PN_SCHED_DROPPED) take(c, at);
    }
  }
  pn_scheduler_play_until(&c->scheduler, &c->transport, &done, b->frames, emit_generated, c);

  c->frames += b->frames;
  c->block = NULL;
}
