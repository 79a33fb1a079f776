/*
 * scheduler.h: the beat-to-frame scheduler. Java stamps the notes it wants played in song beats
 * (never in samples); this places each one in the block where the host transport's beat reaches
 * it, at the exact frame offset, in time order.
 *
 * THE RULE (what plays when). The Java LiveSession owns the musical decisions; this only places
 * what it sends, and keeps nothing that could contradict it after the song position changes:
 *   - An event is kept in a table sorted by beat until the rolling transport's beat reaches it:
 *     beat b plays at the first frame whose beat is >= b (transport.h), then leaves the table.
 *   - A jump (locate, loop, xrun), a stop or a lost beat grid while rolling DROPS the whole table and ends every
 *     note the scheduler started, at that frame (note-offs, sustain lifted). The session sees the
 *     same discontinuity, sends note-offs at the new position (harmless: a note-off is only sent
 *     for a note this scheduler started) and plans again from there. Nothing replays on a loop.
 *   - Records carry the EPOCH the session had when it wrote them: the number of drops it has been
 *     told of (TRANSPORT records with the dropped flag; BLOCK records state it outright). A record
 *     from an older epoch was planned for a position that no longer holds: it is discarded. One
 *     from a newer epoch waits in the ring until this side has reached that drop (freewheel:
 *     Java may be ahead within the block).
 *   - An event already behind the play head when it is read or reached (Java more than the
 *     session's one-bar horizon late, or a freewheel wait that gave up) is LATE: a late note-on is
 *     discarded and counted (playing it off the grid is worse than leaving it out; its note-off
 *     then finds nothing sounding), any other late message is sent at once, at the current frame
 *     (a late note-off still ends its note, so nothing hangs).
 *   - A CLEAR record (flags bit 0) removes every event at or after its beat and ends the sounding
 *     notes at once (kept for Java; the session expresses barge-in as note-offs instead).
 *   - A full table takes no more records; they wait in the ring.
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

#include "pn_callbacks.h"
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
 *   offset 12 u32 epoch   the session's epoch when it wrote the record (see THE RULE) */
#define PN_NOTE_CLEAR_FROM 0x01u
typedef struct PnNoteRecord {
  double beat;
  uint8_t status, data1, data2, flags;
  uint32_t epoch;
} PnNoteRecord;
_Static_assert(sizeof(PnNoteRecord) == 16, "out-ring record is 16 bytes");


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
  uint32_t epoch;            /* drops so far: records of another epoch are not taken (THE RULE) */
  uint32_t invalid;          /* records refused as malformed */
  uint32_t stale;            /* records of an older epoch, discarded */
  uint32_t late;             /* note-ons discarded because their beat had passed */
} PnScheduler;

void pn_scheduler_init(PnScheduler* s);

/* Takes one record: CLEAR or an event to keep (epochs are the caller's business). `frame` is the
   current frame offset in the block (for a CLEAR release). False when the table is full; the
   caller then leaves the record in its ring. */
bool pn_scheduler_add(PnScheduler* s, const PnNoteRecord* r, const PnTransport* t, uint32_t frame,
                      PnEmitFn emit, void* ctx);

/* Moves up to `max` records of the current epoch from the ring into the table (at frame `frame`),
   discarding older ones; stops at a newer one. Returns how many records it consumed. */
uint32_t pn_scheduler_take(PnScheduler* s, PnRing* ring, uint32_t max, const PnTransport* t, uint32_t frame,
                           PnEmitFn emit, void* ctx);

/* Sends the events whose frame falls in [frame, frame + frames) of the block, and the late ones
   (THE RULE) at `frame`; all of them leave the table. The transport's current point is the
   block's frame `frame`. Does not advance the transport. */
void pn_scheduler_render(PnScheduler* s, const PnTransport* t, uint32_t frame, uint32_t frames, PnEmitFn emit,
                         void* ctx);

/* Plays [*from, to) of the block and moves the transport and *from on to `to`. */
void pn_scheduler_play_until(PnScheduler* s, PnTransport* t, uint32_t* from, uint32_t to, PnEmitFn emit, void* ctx);

/* Bit added to pn_scheduler_locate's result when it dropped the table (and the epoch moved on). */
#define PN_SCHED_DROPPED (1u << 8)

/* Whether a Position that gave `flags`, with the transport rolling before (`was_rolling`) and as
   `after` now, drops the table: a jump, a stop or the beat grid lost, while rolling (a stopped
   transport already dropped everything). Shared with the code that
   tells Java, so both sides count the same drops. */
bool pn_scheduler_drops(unsigned flags, bool was_rolling, const PnTransport* after);

/* Applies a time:Position at block frame `frame` (play_until that frame first). When it drops
   (pn_scheduler_drops) it empties the table, ends the notes the scheduler started at that frame,
   moves the epoch on and adds PN_SCHED_DROPPED to the transport's PN_TRANSPORT_* flags. */
unsigned pn_scheduler_locate(PnScheduler* s, PnTransport* t, const PnPosition* p, uint32_t frame, PnEmitFn emit,
                             void* ctx);

/* Ends every note the scheduler started (and lifts its sustain) at `frame`. */
void pn_scheduler_release(PnScheduler* s, uint32_t frame, PnEmitFn emit, void* ctx);

#endif
