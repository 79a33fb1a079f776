/* host_uris.h: the URIDs the lilv test hosts forge and read (MIDI, atom, time:Position keys),
   mapped once with the test's urid:map. One copy per test program (static). */
#ifndef PIANOLA_HOST_URIS_H
#define PIANOLA_HOST_URIS_H

#include <math.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/midi/midi.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>

static LV2_URID u_midi, u_chunk, u_sequence, u_position, u_frame, u_speed, u_bar, u_bar_beat, u_bpb, u_unit, u_bpm;

static inline void map_host_uris(LV2_URID_Map* map) {
  u_midi = map->map(map->handle, LV2_MIDI__MidiEvent);
  u_chunk = map->map(map->handle, LV2_ATOM__Chunk);
  u_sequence = map->map(map->handle, LV2_ATOM__Sequence);
  u_position = map->map(map->handle, LV2_TIME__Position);
  u_frame = map->map(map->handle, LV2_TIME__frame);
  u_speed = map->map(map->handle, LV2_TIME__speed);
  u_bar = map->map(map->handle, LV2_TIME__bar);
  u_bar_beat = map->map(map->handle, LV2_TIME__barBeat);
  u_bpb = map->map(map->handle, LV2_TIME__beatsPerBar);
  u_unit = map->map(map->handle, LV2_TIME__beatUnit);
  u_bpm = map->map(map->handle, LV2_TIME__beatsPerMinute);
}

/* A time:Position as a host sends it, at `offset` in the block being forged: 4/4 in quarter notes,
   the transport at host frame `frame` and song beat `beat` (bar = beat / 4, counted from 0).
   `ticks_per_beat` > 0 rounds barBeat down to that grid, as Ardour does (1920); 0 sends it exact. */
static inline void forge_position_4_4(LV2_Atom_Forge* f, uint32_t offset, int64_t frame, float speed, double beat, double bpm,
                                      double ticks_per_beat) {
  const double bar = floor(beat / 4.0);
  double bar_beat = beat - bar * 4.0;
  if (ticks_per_beat > 0) bar_beat = floor(bar_beat * ticks_per_beat) / ticks_per_beat;
  LV2_Atom_Forge_Frame obj;
  lv2_atom_forge_frame_time(f, offset);
  lv2_atom_forge_object(f, &obj, 0, u_position);
  lv2_atom_forge_key(f, u_frame);
  lv2_atom_forge_long(f, frame);
  lv2_atom_forge_key(f, u_speed);
  lv2_atom_forge_float(f, speed);
  lv2_atom_forge_key(f, u_bar);
  lv2_atom_forge_long(f, (int64_t)bar);
  lv2_atom_forge_key(f, u_bar_beat);
  lv2_atom_forge_float(f, (float)bar_beat);
  lv2_atom_forge_key(f, u_unit);
  lv2_atom_forge_int(f, 4);
  lv2_atom_forge_key(f, u_bpb);
  lv2_atom_forge_float(f, 4.0f);
  lv2_atom_forge_key(f, u_bpm);
  lv2_atom_forge_float(f, (float)bpm);
  lv2_atom_forge_pop(f, &obj);
}

#endif
