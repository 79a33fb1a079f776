/*
 * scheduler.h: the beat-to-frame scheduler. Java stamps the notes it wants played in song beats
 * (never in samples); this places each one in the block where the host transport's beat reaches
 * it, at the exact frame offset, in time order.
 *
 * THE RULE (what plays when):
 *   - An event is kept in a table sorted by beat and plays every time the transport's beat sweeps
 *     over it while rolling: beat b plays at the first frame whose beat is >= b (transport.h).
 *     So on a loop the same events play again on every pass, and after a seek backwards the
 *     events ahead play when the play head reaches them.
 *   - An event whose beat was skipped (a jump forwards over it, or it arrived after the play head
 *     had passed it) does not play late: it is dropped for this pass and stays in the table for a
 *     later pass. One exception: a late note-off whose note is sounding is sent at once, so
 *     nothing hangs.
 *   - On a jump (locate, loop), a stop, a lost beat grid or a CLEAR record, every note the
 *     scheduler started and has not ended gets a note-off at that frame, and a held sustain pedal
 *     (CC 64) is lifted. Note-offs are only sent for notes it started (no stray offs after a seek
 *     into the middle of a note).
 *   - Events leave the table when Java sends a CLEAR record (flags bit 0: remove every event at
 *     or after its beat, and release sounding notes: barge-in), or when the table is full: then
 *     up to a quarter of it, the oldest events behind the play head, make room; if none is behind
 *     the play head the new record waits in the ring.
 *   - Equal beats play note-offs first, then other messages, then note-ons, each in arrival order,
 *     so a repeated key is ended before it is struck again.
 *
 * Real time: fixed-size table inside the struct; no allocation, locks or calls out. The work per
 * block is bounded: a record insert moves at most the table (32 KiB), and the caller bounds how
 * many records it takes per block.
 */
#ifndef PIANOLA_SCHEDULER_H
#define PIANOLA_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "spsc_ring.h"
#include "transport.h"

#define PN_SCHED_CAPACITY 2048u

/* Record of the output ring (Java -> C), 16 bytes, little-endian:
 *   offset 0  f64 beat    song beat (quarter note = 1.0 at the host's beat unit)
 *   offset 8  u8  status  MIDI channel-message status (0x80..0xEF); ignored for CLEAR
 *   offset 9  u8  data1
 *   offset 10 u8  data2
 *   offset 11 u8  flags   bit 0 PN_NOTE_CLEAR_FROM: remove every event at beat >= `beat`
 *                         and release the sounding notes (barge-in)
 *   offset 12 u32 reserved, zero */
#define PN_NOTE_CLEAR_FROM 0x01u
typedef struct PnNoteRecord {
  double beat;
  uint8_t status, data1, data2, flags;
  uint32_t reserved;
} PnNoteRecord;
_Static_assert(sizeof(PnNoteRecord) == 16, "out-ring record is 16 bytes");

/* Called for every MIDI message the scheduler sends, in time order. */
typedef void (*PnEmitFn)(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size);

typedef struct PnEvent {
  double beat;
  uint32_t seq; /* arrival order, the last tie-break */
  uint8_t status, data1, data2;
  uint8_t rank; /* 0 note-off, 1 other, 2 note-on: the tie-break at equal beats */
} PnEvent;

typedef struct PnScheduler {
  PnEvent events[PN_SCHED_CAPACITY];
  uint32_t count;
  uint32_t next_seq;
  uint8_t sounding[16][128]; /* note-ons sent and not yet ended, per channel and key */
  bool sustain[16];          /* CC 64 held down by us, per channel */
  uint32_t invalid;          /* records refused as malformed */
} PnScheduler;

void pn_scheduler_init(PnScheduler* s);

/* Takes one record: CLEAR or an event to keep. `frame` is the current frame offset in the block
   (for a late note-off or a CLEAR release). False when the table is full and nothing is behind
   the play head; the caller then leaves the record in its ring. */
bool pn_scheduler_add(PnScheduler* s, const PnNoteRecord* r, const PnTransport* t, uint32_t frame,
                      PnEmitFn emit, void* ctx);

/* Moves up to `max` records from the ring into the table (at frame `frame`). Returns how many. */
uint32_t pn_scheduler_take(PnScheduler* s, PnRing* ring, uint32_t max, const PnTransport* t, uint32_t frame,
                           PnEmitFn emit, void* ctx);

/* Sends the events whose frame falls in [frame, frame + frames) of the block; the transport's
   current point is the block's frame `frame`. Does not advance the transport. */
void pn_scheduler_render(PnScheduler* s, const PnTransport* t, uint32_t frame, uint32_t frames, PnEmitFn emit,
                         void* ctx);

/* Plays [*from, to) of the block and moves the transport and *from on to `to`. */
void pn_scheduler_play_until(PnScheduler* s, PnTransport* t, uint32_t* from, uint32_t to, PnEmitFn emit, void* ctx);

/* Applies a time:Position at block frame `frame` (play_until that frame first). On a jump, a stop
   or a lost beat grid it ends the notes the scheduler started, at that frame. Returns the
   transport's PN_TRANSPORT_* flags. */
unsigned pn_scheduler_locate(PnScheduler* s, PnTransport* t, const PnPosition* p, uint32_t frame, PnEmitFn emit,
                             void* ctx);

/* Ends every note the scheduler started (and lifts its sustain) at `frame`. */
void pn_scheduler_release(PnScheduler* s, uint32_t frame, PnEmitFn emit, void* ctx);

#endif
