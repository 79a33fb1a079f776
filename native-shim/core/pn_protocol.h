/*
 * pn_protocol.h: the wire protocol between the shim's core and its Java side (dev.pianola.plugin):
 * the input ring's record, its kinds and flags, and the rings' sizes. The note ring's record is in
 * scheduler.h, the control block in java_bridge.h. The Java constants are checked against these by
 * a test (gen_protocol.c writes them to target/protocol.tsv with their real offsets).
 *
 * Input ring record (C -> Java), 32 bytes, little-endian:
 *   0  i64 time       plugin frame counter at the event (frames run since the instance was made)
 *   8  f64 beat       song beat at that frame; NaN while the host gives no beat grid
 *  16  u8  kind       1 MIDI, 2 TRANSPORT, 3 PARAMETER, 4 BLOCK, 5 PLAYED, 6 PROMPT
 *  17  u8  arg        MIDI, PLAYED: byte count (1..3); TRANSPORT: flags (bit 0 rolling, bit 1 jumped,
 *                     bit 2 beat grid known, bit 3 dropped: the scheduler dropped its notes and
 *                     the epoch moved on by one, bit 4 resync: a restatement, not a change);
 *                     PARAMETER: the parameter id (pn_params.h); BLOCK: bit 0 AUDIO: the block's
 *                     input samples are in the audio ring, the `block frames` samples before its head;
 *                     PROMPT: the chunk's index (the text's bytes from index * 12)
 *  18  u16 beat_unit  TRANSPORT: the meter's beat unit (0 unknown); PROMPT: the whole text's bytes
 *  20  12 bytes       MIDI, PLAYED: the message bytes; TRANSPORT: f32 beatsPerBar, f32 bpm, f32 speed;
 *                     PARAMETER: f32 value; BLOCK: u32 epoch, u32 block frames, u32 the audio
 *                     ring's head after the block's samples (low 32 bits; with AUDIO set the
 *                     samples of frames [time - block frames, time) are the ones just before it);
 *                     PROMPT: up to 12 bytes of the text (UTF-8; the last chunk's rest is zero)
 * A TRANSPORT record is written whenever the transport re-anchors, starts, stops or drops; its
 * beat is the new anchor beat at its time, so Java can rebuild the beat <-> frame map exactly.
 * A BLOCK record ends each block: time = the frame after the block, beat = the beat there, and the
 * scheduler's epoch at the block's end (authoritative: Java takes it over). A PLAYED record is a
 * generated message the shim played, at its frame (for the instance's virtual MIDI port).
 * PROMPT records carry the compose prompt (pn_params.h) whenever it changes and on every resync:
 * all its chunks in order, index 0 first, at one time (an empty prompt is one record with no
 * bytes); the text is whole when index * 12 + the chunk's bytes reaches the length. They are
 * pushed all or none, so Java never sees half a prompt unless a chunk index goes missing, which it
 * discards.
 */
#ifndef PIANOLA_PN_PROTOCOL_H
#define PIANOLA_PN_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum { PN_REC_MIDI = 1, PN_REC_TRANSPORT = 2, PN_REC_PARAMETER = 3, PN_REC_BLOCK = 4, PN_REC_PLAYED = 5, PN_REC_PROMPT = 6 };
#define PN_PROMPT_CHUNK_BYTES 12u
enum { PN_TR_ROLLING = 1, PN_TR_JUMPED = 2, PN_TR_GRID = 4, PN_TR_DROPPED = 8, PN_TR_RESYNC = 16 };
enum { PN_BLOCK_AUDIO = 1 };

typedef struct PnInputRecord {
  int64_t time;
  double beat;
  uint8_t kind;
  uint8_t arg;
  uint16_t beat_unit;
  union {
    uint8_t midi[12];
    float value[3];
    uint32_t word[3];
  } u;
} PnInputRecord;
_Static_assert(sizeof(PnInputRecord) == 32, "input-ring record is 32 bytes");
_Static_assert(offsetof(PnInputRecord, u) == 20, "input-ring record payload at 20");

#define PN_IN_RING_RECORDS 4096u
#define PN_OUT_RING_RECORDS 4096u
/* samples; Java drains it every block, so this only has to outlast a stall of Java's thread */
#define PN_AUDIO_RING_SAMPLES (1u << 18)

#endif
