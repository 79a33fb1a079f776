/* pn_state.c: see pn_state.h. */
#include "pn_state.h"

#include <stdio.h>
#include <string.h>

static void put_u32(uint8_t* at, uint32_t v) {
  for (int i = 0; i < 4; i++) at[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t* at) { return at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24; }

static bool saved(unsigned id) { return !(pn_params[id].flags & (PN_PARAM_HOST | PN_PARAM_OUTPUT)); }

static size_t padded(size_t n) { return (n + 3) / 4 * 4; }

size_t pn_state_save(const PnCore* c, uint8_t* out, size_t cap) {
  uint32_t count = 0;
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) count += saved(i);
  char prompt[PN_PROMPT_MAX_BYTES + 1];
  const size_t prompt_len = pn_core_prompt(c, prompt, sizeof prompt);
  const size_t params_end = PN_STATE_HEADER_BYTES + 4 + (size_t)count * 8;
  const size_t len = params_end + 4 + padded(prompt_len);
  if (cap < len) return 0;
  memcpy(out, "PNST", 4);
  put_u32(out + 4, PN_STATE_VERSION);
  put_u32(out + 8, (uint32_t)(len - PN_STATE_HEADER_BYTES));
  put_u32(out + 12, count);
  uint8_t* at = out + 16;
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) {
    if (!saved(i)) continue;
    const float v = pn_core_param(c, i);
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u32(at, i);
    put_u32(at + 4, bits);
    at += 8;
  }
  put_u32(at, (uint32_t)prompt_len);
  memset(at + 4, 0, padded(prompt_len));
  memcpy(at + 4, prompt, prompt_len);
  return len;
}

size_t pn_state_length(const uint8_t* header, char* err, size_t err_len) {
  if (memcmp(header, "PNST", 4) != 0) {
    snprintf(err, err_len, "the saved state is not Pianola's");
    return 0;
  }
  const uint32_t version = get_u32(header + 4), bytes = get_u32(header + 8);
  if (version < 1 || version > PN_STATE_VERSION) {
    snprintf(err, err_len, "the saved state has version %u; this plug-in reads versions 1 to %u", version, PN_STATE_VERSION);
    return 0;
  }
  if (bytes < 4 || bytes > PN_STATE_MAX_BYTES) {
    snprintf(err, err_len, "the saved state claims %u bytes: damaged", bytes);
    return 0;
  }
  return PN_STATE_HEADER_BYTES + bytes;
}

bool pn_state_load(PnCore* c, const uint8_t* state, size_t len, char* err, size_t err_len) {
  if (len < PN_STATE_HEADER_BYTES) {
    snprintf(err, err_len, "the saved state is cut short (%zu bytes)", len);
    return false;
  }
  const size_t want = pn_state_length(state, err, err_len);
  if (!want) return false;
  if (len < want) {
    snprintf(err, err_len, "the saved state is cut short (%zu of %zu bytes)", len, want);
    return false;
  }
  const uint32_t count = get_u32(state + 12);
  if ((uint64_t)count * 8 + 4 > want - PN_STATE_HEADER_BYTES) {
    snprintf(err, err_len, "the saved state lists %u controls in %zu bytes: damaged", count, want);
    return false;
  }
  /* version 2: the prompt after the pairs, checked before anything is applied */
  const uint32_t version = get_u32(state + 4);
  const size_t params_end = PN_STATE_HEADER_BYTES + 4 + (size_t)count * 8;
  uint32_t prompt_len = 0;
  if (version >= 2) {
    if (params_end + 4 > want || (prompt_len = get_u32(state + params_end)) > want - params_end - 4) {
      snprintf(err, err_len, "the saved state's prompt does not fit in its %zu bytes: damaged", want);
      return false;
    }
  }
  for (uint32_t k = 0; k < count; k++) {
    const uint32_t id = get_u32(state + 16 + k * 8), bits = get_u32(state + 20 + k * 8);
    float v;
    memcpy(&v, &bits, sizeof v);
    if (id < PN_PARAM_COUNT && saved(id)) pn_core_set_param(c, id, v);
  }
  if (version >= 2) pn_core_set_prompt(c, (const char*)state + params_end + 4, prompt_len); /* a longer one is cut */
  return true;
}
