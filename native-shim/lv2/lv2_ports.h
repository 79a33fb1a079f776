/*
 * lv2_ports.h: the LV2 plug-in's port indices. The control ports come from the parameter table
 * (pn_params.h, its lv2_port column); the others are LV2's own. gen_ttl.c writes pianola.ttl from
 * both and checks that the indices are 0..PN_LV2_PORT_COUNT-1, each once.
 */
#ifndef PIANOLA_LV2_PORTS_H
#define PIANOLA_LV2_PORTS_H

#include "pn_params.h"

#define PIANOLA_LV2_URI "https://pianola.dev/plugins/pianola"
/* the compose prompt's property (pn_params.h, PN_PROMPT_*): patch:writable, atom:String */
#define PIANOLA_LV2_PROMPT_URI PIANOLA_LV2_URI "#" PN_PROMPT_SYMBOL

enum {
  PN_LV2_AUDIO_IN = 0,
  PN_LV2_AUDIO_OUT = 1,
  PN_LV2_EVENTS_IN = 2,  /* atom Sequence: MIDI and time:Position */
  PN_LV2_MIDI_OUT = 3,   /* atom Sequence: MIDI thru and the generated notes */
  PN_LV2_LATENCY = 13,   /* output, lv2:reportsLatency: always 0 (answers are placed by beat) */
  PN_LV2_AUDIO_IN_R = 19, /* stereo's right channel, optional: unconnected, the plug-in is mono */
  PN_LV2_AUDIO_OUT_R = 20,
  PN_LV2_PORT_COUNT = 22 /* 21: the compose trigger (pn_params.h); new ports go at the end */
};

/* PN_LV2_PORT_ENGINE = 4, ...: the control ports, by parameter name */
#define PN_LV2_PORT_(id, NAME, symbol, label, kind, min, max, def, lv2_port, ...) PN_LV2_PORT_##NAME = lv2_port,
enum { PN_PARAMS(PN_LV2_PORT_) };
#undef PN_LV2_PORT_

#endif
