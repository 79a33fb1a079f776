/* lv2_position.c: see lv2_position.h. Real time: reads only; nothing allocates, locks or blocks. */
#include "lv2_position.h"

#include <math.h>
#include <string.h>

#include <lv2/atom/util.h>
#include <lv2/time/time.h>

void pn_time_urids_map(PnTimeUrids* u, const LV2_URID_Map* map) {
  LV2_URID (*m)(LV2_URID_Map_Handle, const char*) = map->map;
  LV2_URID_Map_Handle h = map->handle;
  u->atom_Int = m(h, LV2_ATOM__Int);
  u->atom_Long = m(h, LV2_ATOM__Long);
  u->atom_Float = m(h, LV2_ATOM__Float);
  u->atom_Double = m(h, LV2_ATOM__Double);
  u->atom_Object = m(h, LV2_ATOM__Object);
  u->atom_Blank = m(h, LV2_ATOM__Blank);
  u->time_Position = m(h, LV2_TIME__Position);
  u->time_frame = m(h, LV2_TIME__frame);
  u->time_speed = m(h, LV2_TIME__speed);
  u->time_bar = m(h, LV2_TIME__bar);
  u->time_barBeat = m(h, LV2_TIME__barBeat);
  u->time_beat = m(h, LV2_TIME__beat);
  u->time_beatsPerBar = m(h, LV2_TIME__beatsPerBar);
  u->time_beatUnit = m(h, LV2_TIME__beatUnit);
  u->time_beatsPerMinute = m(h, LV2_TIME__beatsPerMinute);
}

/* Hosts differ in the numeric type of each key (time.ttl says long/float/int, some send
   doubles), so any of the four is taken. */
static bool as_double(const LV2_Atom* a, const PnTimeUrids* u, double* out) {
  if (!a) return false;
  if (a->type == u->atom_Float && a->size >= sizeof(float)) *out = ((const LV2_Atom_Float*)a)->body;
  else if (a->type == u->atom_Double && a->size >= sizeof(double)) *out = ((const LV2_Atom_Double*)a)->body;
  else if (a->type == u->atom_Int && a->size >= sizeof(int32_t)) *out = ((const LV2_Atom_Int*)a)->body;
  else if (a->type == u->atom_Long && a->size >= sizeof(int64_t)) *out = (double)((const LV2_Atom_Long*)a)->body;
  else return false;
  return isfinite(*out);
}

/* Integers stay integers (a frame past 2^53 must not round); floats are rounded. */
static bool as_int64(const LV2_Atom* a, const PnTimeUrids* u, int64_t* out) {
  if (!a) return false;
  if (a->type == u->atom_Long && a->size >= sizeof(int64_t)) { *out = ((const LV2_Atom_Long*)a)->body; return true; }
  if (a->type == u->atom_Int && a->size >= sizeof(int32_t)) { *out = ((const LV2_Atom_Int*)a)->body; return true; }
  double d;
  if (!as_double(a, u, &d) || fabs(d) > 9.0e18) return false;
  *out = llround(d);
  return true;
}

bool pn_position_read(PnPosition* out, const LV2_Atom_Object* obj, const PnTimeUrids* u) {
  memset(out, 0, sizeof *out);
  if ((obj->atom.type != u->atom_Object && obj->atom.type != u->atom_Blank) || obj->body.otype != u->time_Position)
    return false;
  const LV2_Atom *frame = NULL, *speed = NULL, *bar = NULL, *bar_beat = NULL, *beat = NULL;
  const LV2_Atom *bpb = NULL, *unit = NULL, *bpm = NULL;
  /* varargs walk over the object's properties; reads only, no allocation */
  lv2_atom_object_get(obj, u->time_frame, &frame, u->time_speed, &speed, u->time_bar, &bar,
                      u->time_barBeat, &bar_beat, u->time_beat, &beat, u->time_beatsPerBar, &bpb,
                      u->time_beatUnit, &unit, u->time_beatsPerMinute, &bpm, 0);
  int64_t unit64 = 0;
  out->has_frame = as_int64(frame, u, &out->frame);
  out->has_bar = as_int64(bar, u, &out->bar);
  out->has_beat_unit = as_int64(unit, u, &unit64) && unit64 > 0 && unit64 <= 256;
  out->beat_unit = out->has_beat_unit ? (int32_t)unit64 : 0;
  out->has_speed = as_double(speed, u, &out->speed);
  out->has_bar_beat = as_double(bar_beat, u, &out->bar_beat);
  out->has_beat = as_double(beat, u, &out->beat);
  out->has_beats_per_bar = as_double(bpb, u, &out->beats_per_bar) && out->beats_per_bar > 0.0;
  out->has_bpm = as_double(bpm, u, &out->bpm) && out->bpm > 0.0;
  return true;
}
