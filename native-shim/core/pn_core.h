/*
 * pn_core.h: one Pianola instance, whatever the plug-in format. A front-end (lv2/, clap/, vst3/)
 * only translates: its host's MIDI and transport into PnHostEvents, its parameters into
 * pn_core_set_param, its render mode into the FREE_WHEELING parameter, and the core's emitted MIDI
 * into its host's output events. No format's headers are included here.
 *
 * What the core does (see pn_core.c): the Java side's lifecycle (java_bridge.h: started off the
 * audio thread, status 1 -> 0, or 2/3 with audio and MIDI passing through), the rings and the
 * record protocol (pn_protocol.h), the exact transport anchor (transport.h), the beat-to-frame
 * scheduler (scheduler.h) and the freewheel wait.
 *
 * THREADS. pn_core_create/start/destroy: the host's main (instantiation) thread, never the audio
 * thread. pn_core_reset: not concurrently with pn_core_process. pn_core_process: the audio thread;
 * it never allocates, locks, logs, makes a system call or enters the JVM, except while the
 * FREE_WHEELING parameter is on (offline rendering, not real time), when it waits (bounded) for
 * Java to finish the block so a bounce equals what is heard live. pn_core_set_param,
 * pn_core_param and pn_core_status: any thread (relaxed atomics).
 */
#ifndef PIANOLA_PN_CORE_H
#define PIANOLA_PN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn_callbacks.h"
#include "pn_params.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One host event inside a block, at a frame offset (events in non-decreasing frame order). */
enum { PN_EV_MIDI = 1, PN_EV_POSITION = 2 };
typedef struct PnHostEvent {
  uint32_t frame;
  uint8_t kind;
  uint32_t size;             /* MIDI: its length in bytes */
  uint8_t midi[3];           /* MIDI of 1..3 bytes (channel messages: what the engines hear) */
  const uint8_t* long_bytes; /* MIDI longer than 3 bytes (sysex): the host's bytes, valid during
                                the block; passed through only */
  PnPosition position; /* POSITION: the host's transport from this frame on */
} PnHostEvent;

/* One block of the host's. Channels may alias (in == out); a NULL input is silence, a NULL right
   input means mono (the engines hear the mean of two channels). `emit` gets every MIDI message the
   block sends, in time order: the player's MIDI (thru) and the generated notes. */
typedef struct PnBlock {
  uint32_t frames;
  const float* in_l;
  const float* in_r;
  float* out_l;
  float* out_r;
  const PnHostEvent* events;
  uint32_t n_events;
  PnEmitFn emit;
  void* emit_ctx;
} PnBlock;

typedef struct PnCore PnCore;

/* Allocates an instance (rings, tables); Java is not started yet. NULL when out of memory. `log`
   gets lines from non-real-time threads only. */
PnCore* pn_core_create(const char* bundle_path, PnLineFn log, void* log_ctx);

/* Starts the Java side at this sample rate (returns at once; it starts on a thread of its own).
   Called again at the same rate it does nothing; at another rate it stops Java and starts it anew. */
void pn_core_start(PnCore* c, double rate);

/* A fresh start (the host's activate): no transport, no sounding notes; Java is told (resync). */
void pn_core_reset(PnCore* c);

void pn_core_process(PnCore* c, const PnBlock* b);

/* Sets a parameter by id, clamped to its range (pn_params.h); a value that is not a number is
   ignored, so a host's NaN never reaches the engines. Any thread. */
void pn_core_set_param(PnCore* c, unsigned id, double value);
float pn_core_param(const PnCore* c, unsigned id); /* the status output: pn_core_status */

/* The compose prompt (pn_params.h, PN_PROMPT_*): UTF-8 text, cut at PN_PROMPT_MAX_BYTES on a
   character boundary. Set: one writer at a time (LV2: run() on a patch:Set, or state restore, which
   LV2 never runs beside run(); CLAP, VST3: state load on the main thread); it copies at most
   PN_PROMPT_MAX_BYTES and never waits, so the audio thread may call it. Java gets the new text with
   the next block. Read (pn_core_prompt): any thread but the audio thread (it retries while a write
   is under way); returns the length and writes a terminated copy into out (cap bytes). */
void pn_core_set_prompt(PnCore* c, const char* text, size_t len);
size_t pn_core_prompt(const PnCore* c, char* out, size_t cap);

/* PN_STATUS_* (pn_params.h): OK, starting, Java unavailable, error. */
int pn_core_status(const PnCore* c);

/* Stops Java and frees the instance (if Java does not confirm it stopped, the shared memory is
   left allocated rather than freed under it). */
void pn_core_destroy(PnCore* c);

#ifdef __cplusplus
}
#endif

#endif
