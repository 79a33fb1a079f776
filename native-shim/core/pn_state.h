/*
 * pn_state.h: the instance's saved state, the same bytes in every format (CLAP clap.state, VST3
 * getState/setState; LV2 hosts save the control ports themselves, and the prompt through the
 * state extension). Little-endian:
 *   0  "PNST"
 *   4  u32 version (2; 1 is read too)
 *   8  u32 payload bytes (what follows)
 *  12  u32 count, then count x (u32 parameter id, f32 value)
 *      version 2: u32 prompt bytes, then the prompt (UTF-8, no terminator), zeros to a multiple of 4
 * The user's controls only (not the host's render mode, not the status output). Loading takes the
 * ids it knows, clamps their values (pn_params.h) and skips the rest, so a state from a newer
 * version with more parameters still restores what this one has. A version-1 state (saved before
 * the prompt existed) leaves the instance's prompt as it is. Not real time (main thread).
 */
#ifndef PIANOLA_PN_STATE_H
#define PIANOLA_PN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn_core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PN_STATE_HEADER_BYTES 12u
#define PN_STATE_VERSION 2u
/* the longest state this build saves: a buffer this big always holds it */
#define PN_STATE_SAVE_MAX_BYTES (PN_STATE_HEADER_BYTES + 4u + PN_PARAM_COUNT * 8u + 4u + PN_PROMPT_MAX_BYTES + 3u)
/* no state of ours is near this; a larger length is damage */
#define PN_STATE_MAX_BYTES 65536u

/* Writes the state into out (cap bytes); returns its length, or 0 if cap is too small. */
size_t pn_state_save(const PnCore* c, uint8_t* out, size_t cap);

/* From the first PN_STATE_HEADER_BYTES: the whole state's length, or 0 with a one-line reason. */
size_t pn_state_length(const uint8_t* header, char* err, size_t err_len);

/* Applies a whole state (header included). False with a one-line reason when it is not one of
   ours, or damaged (then the parameters read before the damage are kept). */
bool pn_state_load(PnCore* c, const uint8_t* state, size_t len, char* err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
