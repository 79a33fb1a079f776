/* host_uris.h: the URIDs the lilv test hosts forge and read (MIDI, atom, time:Position keys),
   mapped once with the test's urid:map. One copy per test program (static). */
#ifndef PIANOLA_HOST_URIS_H
#define PIANOLA_HOST_URIS_H

#include <lv2/atom/atom.h>
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

#endif
