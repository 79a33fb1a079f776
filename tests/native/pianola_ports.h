/* pianola_ports.h: the plug-in's URI and LV2 port indices for the test hosts and the benchmark host,
   taken from the shim's own definitions (native-shim/core/pn_params.h, native-shim/lv2/lv2_ports.h):
   a port added there reaches every host (lilv writes every port's range, so arrays are N_PORTS long). */
#ifndef PIANOLA_PORTS_H
#define PIANOLA_PORTS_H

#include "lv2_ports.h"

#define PLUGIN_URI PIANOLA_LV2_URI
#define N_PORTS PN_LV2_PORT_COUNT
/* ports 4..18 are the controls (and the outputs latency and status among them); 19 and 20 the optional right
   channel; 21 a control again (compose: controls added later go at the end) */
#define CONTROLS_END PN_LV2_AUDIO_IN_R
#define IS_CONTROL(p) (((p) >= 4 && (p) < CONTROLS_END) || (p) >= PN_LV2_PORT_COMPOSE)

enum {
  P_IN = PN_LV2_AUDIO_IN,
  P_OUT = PN_LV2_AUDIO_OUT,
  P_EVENTS = PN_LV2_EVENTS_IN,
  P_MIDI_OUT = PN_LV2_MIDI_OUT,
  P_ENGINE = PN_LV2_PORT_ENGINE,
  P_ANSWER_BARS = PN_LV2_PORT_ANSWER_BARS,
  P_SILENCE = PN_LV2_PORT_SILENCE_BEATS,
  P_EVERY_BAR = PN_LV2_PORT_EVERY_BAR,
  P_TEMPERATURE = PN_LV2_PORT_TEMPERATURE,
  P_KEY_LOCK = PN_LV2_PORT_KEY_LOCK,
  P_VELOCITY_SCALE = PN_LV2_PORT_VELOCITY_SCALE,
  P_FOLLOW = PN_LV2_PORT_FOLLOW,
  P_FREEWHEEL = PN_LV2_PORT_FREE_WHEELING,
  P_LATENCY = PN_LV2_LATENCY,
  P_STATUS = PN_LV2_PORT_STATUS,
  P_START_ON = PN_LV2_PORT_START_ON,
  P_LISTEN = PN_LV2_PORT_LISTEN,
  P_LAG = PN_LV2_PORT_COVER_LAG_BARS,
  P_CAPTURE = PN_LV2_PORT_CAPTURE,
  P_IN_R = PN_LV2_AUDIO_IN_R,
  P_OUT_R = PN_LV2_AUDIO_OUT_R,
  P_COMPOSE = PN_LV2_PORT_COMPOSE
};

#endif
