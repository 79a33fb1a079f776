/*
 * gen_vstpresets.c: the LV2 presets (presets/lv2/presets.ttl, the one source) as VST3 preset files,
 * one `<label>.vstpreset` each, for VST3 hosts' preset browsers. Each preset's controls are set on
 * a core instance (no Java is started) and its state is saved with pn_state_save, so a preset is
 * exactly what the plug-in's getState writes.
 *
 * The .vstpreset container (VST3 SDK, vstpresetfile.cpp), little-endian: "VST3", i32 version 1,
 * the class id as 32 hex characters (non-COM byte order, as on Linux and macOS), i64 offset of the
 * chunk list; the chunks ("Comp": the component state, "Cont": the controller state, the same bytes
 * for our single-component plug-in); then "List", i32 count, and per chunk its id, i64 offset, i64
 * size.
 *   gen_vstpresets PRESETS.ttl OUTDIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pn_core.h"
#include "pn_state.h"
#include "pn_vst3_id.h"

static void put_le(FILE* f, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) fputc((int)(v >> (8 * i)) & 0xFF, f);
}

static int write_preset(const char* dir, const char* label, const uint8_t* state, size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.vstpreset", dir, label);
  FILE* f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "gen_vstpresets: cannot write %s\n", path);
    return 1;
  }
  const uint32_t cid[4] = {PN_VST3_CID_1, PN_VST3_CID_2, PN_VST3_CID_3, PN_VST3_CID_4};
  char id[33];
  for (int i = 0; i < 4; i++) snprintf(id + 8 * i, 9, "%08X", (unsigned)cid[i]); /* the TUID's bytes, in order */
  const uint64_t header = 4 + 4 + 32 + 8;
  fwrite("VST3", 1, 4, f);
  put_le(f, 1, 4);
  fwrite(id, 1, 32, f);
  put_le(f, header + 2 * len, 8); /* the chunk list follows the two chunks */
  fwrite(state, 1, len, f); /* Comp */
  fwrite(state, 1, len, f); /* Cont */
  fwrite("List", 1, 4, f);
  put_le(f, 2, 4);
  fwrite("Comp", 1, 4, f);
  put_le(f, header, 8);
  put_le(f, len, 8);
  fwrite("Cont", 1, 4, f);
  put_le(f, header + len, 8);
  put_le(f, len, 8);
  return fclose(f) == 0 ? 0 : 1;
}

static int param_id(const char* symbol) {
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++)
    if (!strcmp(pn_params[i].symbol, symbol)) return (int)i;
  return -1;
}

/* the text between the first two quotes after `key`, or NULL */
static const char* quoted_after(const char* line, const char* key, char* out, size_t len) {
  const char* k = strstr(line, key);
  const char* a = k ? strchr(k + strlen(key), '"') : NULL;
  const char* b = a ? strchr(a + 1, '"') : NULL;
  if (!b || (size_t)(b - a - 1) >= len) return NULL;
  memcpy(out, a + 1, (size_t)(b - a - 1));
  out[b - a - 1] = '\0';
  return out;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: gen_vstpresets PRESETS.ttl OUTDIR\n");
    return 2;
  }
  FILE* in = fopen(argv[1], "r");
  if (!in) {
    fprintf(stderr, "gen_vstpresets: cannot read %s\n", argv[1]);
    return 1;
  }
  PnCore* core = NULL;
  char line[1024], label[256] = "", symbol[128];
  int written = 0, failed = 0;
  while (fgets(line, sizeof line, in)) {
    if (strstr(line, "a pset:Preset")) {
      pn_core_destroy(core);
      core = pn_core_create(".", NULL, NULL); /* the defaults, then the preset's values */
      if (!core) return 1;
      label[0] = '\0';
    }
    if (!core) continue;
    quoted_after(line, "rdfs:label", label, sizeof label);
    if (quoted_after(line, "lv2:symbol", symbol, sizeof symbol)) {
      const char* v = strstr(line, "pset:value");
      const int id = param_id(symbol);
      if (!v || id < 0) {
        fprintf(stderr, "gen_vstpresets: %s: preset %s sets %s, which is not a parameter\n", argv[1], label, symbol);
        failed = 1;
        continue;
      }
      pn_core_set_param(core, (unsigned)id, strtod(v + strlen("pset:value"), NULL));
    }
    const size_t n = strlen(line);
    if (n >= 2 && line[n - 2] == '.' && line[n - 1] == '\n' && label[0]) { /* the preset's statement ends */
      uint8_t state[PN_STATE_MAX_BYTES];
      const size_t len = pn_state_save(core, state, sizeof state);
      failed |= len == 0 || write_preset(argv[2], label, state, len);
      written++;
      label[0] = '\0';
    }
  }
  fclose(in);
  pn_core_destroy(core);
  printf("gen_vstpresets: %d presets from %s into %s\n", written, argv[1], argv[2]);
  return failed || written == 0;
}
