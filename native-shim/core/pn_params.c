/* pn_params.c: the table of pn_params.h as data. Real time: pn_param_sanitize is arithmetic. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

bool pn_param_format(unsigned id, double value, char* buf, unsigned len) {
  if (id >= PN_PARAM_COUNT || !len || !isfinite(value)) return false;
  const PnParamInfo* p = &pn_params[id];
  const bool one = fabs(value - 1.0) < 1e-9;
  const char* unit = !strcmp(p->unit, "bar") ? (one ? " bar" : " bars") : !strcmp(p->unit, "beat") ? (one ? " beat" : " beats") : "";
  switch (p->kind) {
    case PN_KIND_ENUM: pn_param_choice(id, (int)lround(value), buf, len); return buf[0] != '\0';
    case PN_KIND_TOGGLE:
    case PN_KIND_TRIGGER: snprintf(buf, len, "%s", value > 0.5 ? "On" : "Off"); return true;
    case PN_KIND_INT: snprintf(buf, len, "%ld%s", lround(value), unit); return true;
    default: snprintf(buf, len, "%.2f%s", value, unit); return true;
  }
}

bool pn_param_parse(unsigned id, const char* text, double* value) {
  if (id >= PN_PARAM_COUNT || !text) return false;
  const PnParamInfo* p = &pn_params[id];
  while (*text == ' ') text++;
  if (p->kind == PN_KIND_ENUM) {
    char label[128];
    for (int v = (int)p->min; v <= (int)p->max; v++)
      if (!strcasecmp(pn_param_choice(id, v, label, sizeof label), text)) {
        *value = v;
        return true;
      }
  }
  if (p->kind == PN_KIND_TOGGLE || p->kind == PN_KIND_TRIGGER) {
    if (!strcasecmp(text, "on")) return (*value = 1.0), true;
    if (!strcasecmp(text, "off")) return (*value = 0.0), true;
  }
  char* end = NULL;
  const double v = strtod(text, &end);
  float clamped;
  if (end == text || !pn_param_sanitize(id, v, &clamped)) return false;
  *value = clamped;
  return true;
}

double pn_param_to_normalized(unsigned id, double value) {
  if (id >= PN_PARAM_COUNT) return 0.0;
  const PnParamInfo* p = &pn_params[id];
  float v;
  if (!pn_param_sanitize(id, value, &v)) v = (float)p->def;
  return p->max > p->min ? (v - p->min) / (p->max - p->min) : 0.0;
}

double pn_param_from_normalized(unsigned id, double normalized) {
  if (id >= PN_PARAM_COUNT) return 0.0;
  const PnParamInfo* p = &pn_params[id];
  const double n = isfinite(normalized) ? (normalized < 0 ? 0 : normalized > 1 ? 1 : normalized) : 0.0;
  float v;
  pn_param_sanitize(id, p->min + n * (p->max - p->min), &v); /* rounds integer kinds to their steps */
  return v;
}
