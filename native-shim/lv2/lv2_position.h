/*
 * lv2_position.h: LV2 time:Position objects read into the core's PnPosition (transport.h). Every
 * key is accepted as atom Int, Long, Float or Double (hosts differ); non-finite values are ignored.
 */
#ifndef PIANOLA_LV2_POSITION_H
#define PIANOLA_LV2_POSITION_H

#include <stdbool.h>

#include <lv2/atom/atom.h>
#include <lv2/urid/urid.h>

#include "transport.h"

/* The URIDs pn_position_read needs (pn_time_urids_map fills them). */
typedef struct PnTimeUrids {
  LV2_URID atom_Int, atom_Long, atom_Float, atom_Double;
  LV2_URID atom_Object, atom_Blank;
  LV2_URID time_Position, time_frame, time_speed, time_bar, time_barBeat, time_beat;
  LV2_URID time_beatsPerBar, time_beatUnit, time_beatsPerMinute;
} PnTimeUrids;

void pn_time_urids_map(PnTimeUrids* u, const LV2_URID_Map* map);

/* Reads a time:Position object (Object or Blank). False if obj is not a time:Position. */
bool pn_position_read(PnPosition* out, const LV2_Atom_Object* obj, const PnTimeUrids* u);

#endif
