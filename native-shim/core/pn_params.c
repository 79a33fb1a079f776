/* pn_params.c: the table of pn_params.h as data. Real time: pn_param_sanitize is arithmetic. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "pn_params.h"

#define PN_PARAM_INFO_(id, NAME, symbol, label, kind, min, max, def, lv2_port, flags, unit, choices) \
  [id] = {id, symbol, label, kind, min, max, def, lv2_port, flags, unit, choices},
const PnParamInfo pn_params[PN_PARAM_COUNT] = {PN_PARAMS(PN_PARAM_INFO_)};
#undef PN_PARAM_INFO_

/* ids must be 0..N-1 in order: the enum counts lines, the designated initializers place by id */
#define PN_PARAM_ORDER_(id, NAME, ...) _Static_assert(PN_PARAM_##NAME == id, "pn_params.h: ids are 0..N-1 in table order");
PN_PARAMS(PN_PARAM_ORDER_)
#undef PN_PARAM_ORDER_

bool pn_param_sanitize(unsigned id, double value, float* out) {
  if (id >= PN_PARAM_COUNT || !isfinite(value)) return false;
  const PnParamInfo* p = &pn_params[id];
  double v = value < p->min ? p->min : value > p->max ? p->max : value;
  if (p->kind != PN_KIND_FLOAT) v = p->kind == PN_KIND_TOGGLE || p->kind == PN_KIND_TRIGGER ? (v > 0.5 ? 1.0 : 0.0) : floor(v + 0.5);
  *out = (float)v;
  return true;
}

const char* pn_param_choice(unsigned id, int value, char* buf, unsigned len) {
  if (len) buf[0] = '\0';
  if (id >= PN_PARAM_COUNT || !len) return buf;
  const char* s = pn_params[id].choices;
  for (int i = (int)pn_params[id].min; i < value && s; i++) {
    s = strchr(s, '|');
    if (s) s++;
  }
  if (!s || !*s) return buf;
  const char* end = strchr(s, '|');
  unsigned n = end ? (unsigned)(end - s) : (unsigned)strlen(s);
  if (n >= len) n = len - 1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}
