/* test_state.c: the saved state (pn_state.h) and the compose prompt in the core (pn_core.h).
   Controls and the prompt survive a save and a load into a fresh instance; a version-1 state (no
   prompt) still loads and leaves the prompt as it was; damage in the prompt's length is refused
   before anything is applied; a prompt longer than PN_PROMPT_MAX_BYTES is cut on a UTF-8
   character boundary; and the core publishes the prompt for Java as PROMPT records (all chunks,
   index 0 first, the length in each) on its first block and again only when it changes. The core
   is compiled into this test (pn_core.c is included) so that it can pretend Java runs: no JVM is
   started. */
#include <string.h>

#include "check.h"
#include "pn_core.c"
#include "pn_state.h"

static void put_u32(uint8_t* at, uint32_t v) {
  for (int i = 0; i < 4; i++) at[i] = (uint8_t)(v >> (8 * i));
}

/* The records the core published for Java since the last call, prompt records reassembled into text. */
static int pop_prompt(PnCore* c, char* text, size_t cap, int* records) {
  PnInputRecord r;
  int len = -1;
  *records = 0;
  size_t got = 0;
  while (pn_ring_pop(c->in_ring, &r)) {
    if (r.kind != PN_REC_PROMPT) continue;
    (*records)++;
    len = r.beat_unit;
    const size_t from = (size_t)r.arg * PN_PROMPT_CHUNK_BYTES;
    const size_t n = len - from < PN_PROMPT_CHUNK_BYTES ? len - from : PN_PROMPT_CHUNK_BYTES;
    if (from != got || from + n >= cap) return -2; /* out of order */
    memcpy(text + from, r.u.midi, n);
    got = from + n;
  }
  if (len >= 0) text[len] = '\0';
  return len;
}

static void run_block(PnCore* c) {
  float in[64] = {0}, out[64];
  const PnBlock b = {.frames = 64, .in_l = in, .out_l = out, .emit = NULL};
  pn_core_process(c, &b);
}

int main(void) {
  PnCore* a = pn_core_create("/nonexistent", NULL, NULL);
  CHECK(a != NULL, "a core is made");
  char text[PN_PROMPT_MAX_BYTES + 16];
  CHECK(pn_core_prompt(a, text, sizeof text) == 0 && text[0] == '\0', "a new instance's prompt is empty (PIANOLA_PROMPT unset)");

  /* round trip: controls and the prompt */
  const char* prompt = "warm lo-fi piano, 90 bpm, caf\xc3\xa9 jazz";
  pn_core_set_param(a, PN_PARAM_ENGINE, 3);
  pn_core_set_param(a, PN_PARAM_ANSWER_BARS, 4);
  pn_core_set_prompt(a, prompt, strlen(prompt));
  uint8_t state[PN_STATE_SAVE_MAX_BYTES];
  const size_t len = pn_state_save(a, state, sizeof state);
  CHECK(len > 0 && len % 4 == 0, "saved (%zu bytes, a multiple of 4)", len);
  CHECK(state[4] == 2, "version 2");
  char err[200] = "";
  CHECK(pn_state_length(state, err, sizeof err) == len, "its length is its own: %s", err);
  PnCore* b = pn_core_create("/nonexistent", NULL, NULL);
  CHECK(pn_state_load(b, state, len, err, sizeof err), "loads: %s", err);
  CHECK(pn_core_param(b, PN_PARAM_ENGINE) == 3.0f && pn_core_param(b, PN_PARAM_ANSWER_BARS) == 4.0f, "the controls come back");
  CHECK(pn_core_prompt(b, text, sizeof text) == strlen(prompt) && !strcmp(text, prompt), "the prompt comes back: '%s'", text);
  CHECK(pn_state_save(a, state, len - 1) == 0, "a buffer too small is refused");

  /* a version-1 state: the controls only; the prompt is left as it is */
  uint8_t v1[PN_STATE_HEADER_BYTES + 4 + 8];
  memcpy(v1, "PNST", 4);
  put_u32(v1 + 4, 1);
  put_u32(v1 + 8, 4 + 8);
  put_u32(v1 + 12, 1);
  put_u32(v1 + 16, PN_PARAM_ANSWER_BARS);
  const float eight = 8.0f;
  uint32_t bits;
  memcpy(&bits, &eight, 4);
  put_u32(v1 + 20, bits);
  CHECK(pn_state_load(b, v1, sizeof v1, err, sizeof err), "a version-1 state loads: %s", err);
  CHECK(pn_core_param(b, PN_PARAM_ANSWER_BARS) == 8.0f, "its controls apply");
  CHECK(pn_core_prompt(b, text, sizeof text) == strlen(prompt), "the prompt is left as it was");

  /* damage: a prompt length past the state's end is refused before any control is applied */
  const size_t prompt_at = len - 4 - (strlen(prompt) + 3) / 4 * 4;
  put_u32(state + prompt_at, 5000);
  CHECK(!pn_state_load(b, state, len, err, sizeof err) && strstr(err, "prompt"), "a damaged prompt length is refused: %s", err);
  CHECK(pn_core_param(b, PN_PARAM_ANSWER_BARS) == 8.0f, "nothing applied from the damaged state");
  put_u32(state + 4, 3);
  CHECK(pn_state_length(state, err, sizeof err) == 0 && strstr(err, "version 3"), "a newer version is refused: %s", err);

  /* a prompt too long is cut before a character it would split (a 2-byte character across the limit) */
  char longer[PN_PROMPT_MAX_BYTES + 8];
  memset(longer, 'a', sizeof longer);
  longer[PN_PROMPT_MAX_BYTES - 1] = (char)0xc3;
  longer[PN_PROMPT_MAX_BYTES] = (char)0xa9;
  pn_core_set_prompt(b, longer, sizeof longer);
  CHECK(pn_core_prompt(b, text, sizeof text) == PN_PROMPT_MAX_BYTES - 1, "cut at the character boundary: %zu bytes", strlen(text));

  /* publishing for Java (as if it ran): every chunk on the first block, nothing while it is unchanged */
  atomic_store(&a->java.status, PN_STATUS_OK);
  int records = 0;
  run_block(a);
  CHECK(pop_prompt(a, text, sizeof text, &records) == (int)strlen(prompt) && !strcmp(text, prompt), "Java gets the prompt: '%s'", text);
  CHECK(records == (int)((strlen(prompt) + 11) / 12), "in %d chunks of 12 bytes", records);
  run_block(a);
  CHECK(pop_prompt(a, text, sizeof text, &records) == -1 && records == 0, "unchanged: not sent again");
  pn_core_set_prompt(a, "", 0);
  run_block(a);
  CHECK(pop_prompt(a, text, sizeof text, &records) == 0 && records == 1, "an empty prompt is one record");
  pn_core_reset(a);
  run_block(a);
  CHECK(pop_prompt(a, text, sizeof text, &records) == 0 && records == 1, "a resync restates it");
  atomic_store(&a->java.status, PN_STATUS_JAVA_UNAVAILABLE); /* nothing to stop: no Java was started */

  pn_core_destroy(a);
  pn_core_destroy(b);
  return check_summary("test_state");
}
