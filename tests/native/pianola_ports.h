/* pianola_ports.h: the plug-in's URI and port indices, as native-shim/ttl/pianola.ttl declares them
   (PortIndex in native-shim/src/pianola_lv2.c), for the test hosts and the benchmark host: one
   place to change when a port is added (lilv writes every port's range, so arrays are N_PORTS long). */
#ifndef PIANOLA_PORTS_H
#define PIANOLA_PORTS_H

#define PLUGIN_URI "https://pianola.dev/plugins/pianola"
#define N_PORTS 21
/* ports 4..18 are controls (and the outputs 13, 14); 19 and 20 the optional right channel */
#define CONTROLS_END 19

enum {
  P_IN = 0,
  P_OUT = 1,
  P_EVENTS = 2,
  P_MIDI_OUT = 3,
  P_ENGINE = 4,
  P_ANSWER_BARS = 5,
  P_SILENCE = 6,
  P_EVERY_BAR = 7,
  P_TEMPERATURE = 8,
  P_KEY_LOCK = 9,
  P_VELOCITY_SCALE = 10,
  P_FOLLOW = 11,
  P_FREEWHEEL = 12,
  P_LATENCY = 13,
  P_STATUS = 14,
  P_START_ON = 15,
  P_LISTEN = 16,
  P_LAG = 17,
  P_CAPTURE = 18,
  P_IN_R = 19,
  P_OUT_R = 20
};

#endif
