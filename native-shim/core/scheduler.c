/* scheduler.c: see scheduler.h for the rule. Real time: no allocation, locks or calls out. */
#include "scheduler.h"

#include <math.h>
#include <string.h>

void pn_scheduler_init(PnScheduler* s) { memset(s, 0, sizeof *s); }

static bool is_note_on(uint8_t status, uint8_t velocity) { return (status & 0xF0) == 0x90 && velocity > 0; }
static bool is_note_off(uint8_t status, uint8_t velocity) {
  return (status & 0xF0) == 0x80 || ((status & 0xF0) == 0x90 && velocity == 0);
}
/* program change and channel pressure carry one data byte */
static uint32_t message_size(uint8_t status) { return ((status & 0xF0) == 0xC0 || (status & 0xF0) == 0xD0) ? 2 : 3; }

/* a before b in play order */
static bool before(const PnEvent* a, const PnEvent* b) {
  if (a->beat != b->beat) return a->beat < b->beat;
  if (a->rank != b->rank) return a->rank < b->rank;
  return a->seq < b->seq;
}

/* First index whose beat is >= beat. */
static uint32_t lower_bound(const PnScheduler* s, double beat) {
  uint32_t lo = 0, hi = s->count;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (s->events[mid].beat < beat) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Sends one event, keeping the sounding-note table right. */
static void send(PnScheduler* s, uint32_t frame, uint8_t status, uint8_t d1, uint8_t d2, PnEmitFn emit, void* ctx) {
  const uint8_t ch = status & 0x0F;
  if (is_note_on(status, d2)) {
    if (s->sounding[ch][d1] < UINT8_MAX) s->sounding[ch][d1]++;
  } else if (is_note_off(status, d2)) {
    if (s->sounding[ch][d1] == 0) return; /* we never started it (seek into a note): no stray off */
    s->sounding[ch][d1]--;
  } else if ((status & 0xF0) == 0xB0 && d1 == 64) {
    s->sustain[ch] = d2 >= 64;
  }
  const uint8_t msg[3] = {status, d1, d2};
  emit(ctx, frame, msg, message_size(status));
}

void pn_scheduler_release(PnScheduler* s, uint32_t frame, PnEmitFn emit, void* ctx) {
  for (uint8_t ch = 0; ch < 16; ch++) {
    for (uint8_t key = 0; key < 128; key++) {
      if (!s->sounding[ch][key]) continue;
      s->sounding[ch][key] = 0;
      const uint8_t off[3] = {(uint8_t)(0x80 | ch), key, 0};
      emit(ctx, frame, off, 3);
    }
    if (s->sustain[ch]) {
      s->sustain[ch] = false;
      const uint8_t pedal_up[3] = {(uint8_t)(0xB0 | ch), 64, 0};
      emit(ctx, frame, pedal_up, 3);
    }
  }
}

bool pn_scheduler_add(PnScheduler* s, const PnNoteRecord* r, const PnTransport* t, uint32_t frame,
                      PnEmitFn emit, void* ctx) {
  if (r->flags & PN_NOTE_CLEAR_FROM) {
    /* NaN or -inf would not compare: treat anything below every beat as "clear all" */
    s->count = isnan(r->beat) ? 0 : lower_bound(s, r->beat);
    pn_scheduler_release(s, frame, emit, ctx);
    return true;
  }
  if (!isfinite(r->beat) || r->status < 0x80 || r->status >= 0xF0 || r->data1 > 0x7F || r->data2 > 0x7F) {
    s->invalid++;
    return true; /* consumed: a bad record must not block the ring */
  }
  (void)t;
  if (s->count == PN_SCHED_CAPACITY) return false;

  const PnEvent e = {
      .beat = r->beat,
      .seq = s->next_seq++,
      .status = r->status,
      .data1 = r->data1,
      .data2 = r->data2,
      .rank = (uint8_t)(is_note_off(r->status, r->data2) ? 0 : is_note_on(r->status, r->data2) ? 2 : 1),
  };
  /* Java sends in beat order, so the place is almost always the end: search from there */
  uint32_t i = s->count;
  while (i > 0 && before(&e, &s->events[i - 1])) i--;
  memmove(s->events + i + 1, s->events + i, (size_t)(s->count - i) * sizeof e);
  s->events[i] = e;
  s->count++;
  return true; /* a late one is dealt with by the next render, at the current frame */
}

uint32_t pn_scheduler_take(PnScheduler* s, PnRing* ring, uint32_t max, const PnTransport* t, uint32_t frame,
                           PnEmitFn emit, void* ctx) {
  uint32_t taken = 0;
  PnNoteRecord r;
  while (taken < max) {
    const void* slot = pn_ring_peek(ring);
    if (!slot) break;
    memcpy(&r, slot, sizeof r);
    if (r.epoch == s->epoch) {
      if (!pn_scheduler_add(s, &r, t, frame, emit, ctx)) break; /* full: it stays in the ring */
    } else if ((int32_t)(r.epoch - s->epoch) > 0) {
      break; /* planned for a drop this side has not reached yet: wait */
    } else {
      s->stale++; /* planned for a position that no longer holds */
    }
    pn_ring_drop(ring);
    taken++;
  }
  return taken;
}

void pn_scheduler_render(PnScheduler* s, const PnTransport* t, uint32_t frame, uint32_t frames, PnEmitFn emit,
                         void* ctx) {
  if (frames == 0 || !pn_transport_rolling(t) || s->count == 0) return;
  /* the table is sorted by beat, so what is due (late or in this span) is a prefix of it */
  uint32_t due = 0;
  for (; due < s->count; due++) {
    const PnEvent* e = &s->events[due];
    int64_t until;
    if (!pn_transport_frames_until(t, e->beat, &until) || until >= (int64_t)frames) break;
    if (until >= 0) {
      send(s, frame + (uint32_t)until, e->status, e->data1, e->data2, emit, ctx);
    } else if (is_note_on(e->status, e->data2)) {
      s->late++; /* off the grid is worse than left out */
    } else {
      send(s, frame, e->status, e->data1, e->data2, emit, ctx); /* a late note-off still ends its note */
    }
  }
  if (due == 0) return;
  memmove(s->events, s->events + due, (size_t)(s->count - due) * sizeof s->events[0]);
  s->count -= due;
}

void pn_scheduler_play_until(PnScheduler* s, PnTransport* t, uint32_t* from, uint32_t to, PnEmitFn emit, void* ctx) {
  if (to <= *from) return;
  pn_scheduler_render(s, t, *from, to - *from, emit, ctx);
  pn_transport_advance(t, to - *from);
  *from = to;
}

bool pn_scheduler_drops(unsigned flags, bool was_rolling, const PnTransport* after) {
  /* only a rolling transport has planned notes to invalidate; a stop already dropped them */
  return was_rolling && ((flags & (PN_TRANSPORT_JUMPED | PN_TRANSPORT_STOPPED)) || !pn_transport_rolling(after));
}

unsigned pn_scheduler_locate(PnScheduler* s, PnTransport* t, const PnPosition* p, uint32_t frame, PnEmitFn emit,
                             void* ctx) {
  const bool was_rolling = pn_transport_rolling(t);
  unsigned flags = pn_transport_apply(t, p);
  if (pn_scheduler_drops(flags, was_rolling, t)) {
    /* the session re-plans from the new position: nothing planned for the old one may play */
    s->count = 0;
    s->epoch++;
    pn_scheduler_release(s, frame, emit, ctx);
    flags |= PN_SCHED_DROPPED;
  }
  return flags;
}
