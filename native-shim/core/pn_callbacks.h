/* pn_callbacks.h: the two callbacks the core hands around (plain C, no atomics: C++ front-ends
   include pn_core.h, which includes this). */
#ifndef PIANOLA_PN_CALLBACKS_H
#define PIANOLA_PN_CALLBACKS_H

#include <stdbool.h>
#include <stdint.h>

/* Logs one line (never on the audio thread). */
typedef void (*PnLineFn)(void* ctx, bool error, const char* line);

/* Called for every MIDI message the core sends, in time order, at its frame in the block. */
typedef void (*PnEmitFn)(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size);

#endif
