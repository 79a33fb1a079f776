/*
 * pn_params.h: THE definition of Pianola's parameters, for every format and for Java.
 *
 * One line per parameter. Everything else is made from this table or checked against it:
 *   - the core (pn_core.c) keeps, clamps and publishes the values by id (PARAMETER records);
 *   - LV2: pianola.ttl's control ports are generated from it (lv2/gen_ttl.c, `make bundle`);
 *   - CLAP and VST3: their parameter lists are this table (clap/, vst3/);
 *   - Java (dev.pianola.plugin.PluginParameter) is checked against it by a test that reads the
 *     table as the generator writes it (target/protocol.tsv);
 *   - the presets (presets/lv2/presets.ttl) name parameters by symbol; the LV2 host test checks
 *     every preset sets known controls within range.
 * Adding a control is one line here plus what Java does with it.
 *
 * X(id, NAME, symbol, label, kind, min, max, default, lv2_port, flags, unit, choices)
 *   id        our own stable id: the PARAMETER record's arg, CLAP's clap_id, VST3's ParamID. Never
 *             reuse or renumber one: hosts save projects by it.
 *   kind      PN_KIND_FLOAT | INT | TOGGLE | ENUM (choices label each integer from min) | TRIGGER
 *             (a momentary toggle: its rising edge acts)
 *   lv2_port  the LV2 port index (LV2 saves by symbol, but port indices are part of the ABI too)
 *   flags     PN_PARAM_HOST: set by the host's render mode, not a user control (LV2's
 *             lv2:freeWheeling port; CLAP's render extension and VST3's kOffline set it);
 *             PN_PARAM_OUTPUT: the plug-in reports it (read-only; never published to Java)
 *   unit      LV2 units: name ("" none)
 *   choices   ENUM labels separated by '|' ("" otherwise)
 */
#ifndef PIANOLA_PN_PARAMS_H
#define PIANOLA_PN_PARAMS_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { PN_KIND_FLOAT = 0, PN_KIND_INT = 1, PN_KIND_TOGGLE = 2, PN_KIND_ENUM = 3, PN_KIND_TRIGGER = 4 };
enum { PN_PARAM_HOST = 1, PN_PARAM_OUTPUT = 2 };

/* clang-format off */
#define PN_PARAMS(X) \
  X(0,  ENGINE,         "engine",         "Engine",               PN_KIND_ENUM,    0,   3,   0,   4,  0,               "",     "Continuator|REMI (GPT-2)|Perceiver AR|Compose (MusicGen)") \
  X(1,  ANSWER_BARS,    "answer_bars",    "Answer Length",        PN_KIND_INT,     1,   16,  2,   5,  0,               "bar",  "") \
  X(2,  SILENCE_BEATS,  "silence_beats",  "Answer After Silence", PN_KIND_FLOAT,   0.5, 16,  2,   6,  0,               "beat", "") \
  X(3,  EVERY_BAR,      "every_bar",      "Answer Every Bar",     PN_KIND_TOGGLE,  0,   1,   0,   7,  0,               "",     "") \
  X(4,  TEMPERATURE,    "temperature",    "Temperature",          PN_KIND_FLOAT,   0.1, 2,   1,   8,  0,               "",     "") \
  X(5,  KEY_LOCK,       "key_lock",       "Key Lock",             PN_KIND_TOGGLE,  0,   1,   1,   9,  0,               "",     "") \
  X(6,  VELOCITY_SCALE, "velocity_scale", "Velocity Scale",       PN_KIND_FLOAT,   0,   2,   1,   10, 0,               "",     "") \
  X(7,  FOLLOW,         "follow",         "Follow Continuously",  PN_KIND_TOGGLE,  0,   1,   0,   11, 0,               "",     "") \
  X(8,  FREE_WHEELING,  "free_wheeling",  "Free Wheeling",        PN_KIND_TOGGLE,  0,   1,   0,   12, PN_PARAM_HOST,   "",     "") \
  X(9,  START_ON,       "start_on",       "Start Answer On",      PN_KIND_ENUM,    0,   1,   0,   15, 0,               "",     "Next bar|Next beat") \
  X(10, LISTEN,         "listen",         "Listen To",            PN_KIND_ENUM,    0,   2,   0,   16, 0,               "",     "Auto (MIDI when played, audio when heard)|MIDI|Audio (cover)") \
  X(11, COVER_LAG_BARS, "cover_lag_bars", "Cover Lag (bars)",     PN_KIND_INT,     1,   2,   2,   17, 0,               "",     "") \
  X(12, CAPTURE,        "capture",        "Capture Take to MIDI", PN_KIND_TRIGGER, 0,   1,   0,   18, 0,               "",     "") \
  X(13, STATUS,         "status",         "Status",               PN_KIND_ENUM,    0,   3,   0,   14, PN_PARAM_OUTPUT, "",     "OK|Starting|Java unavailable|Error (see log)") \
  X(14, COMPOSE,        "compose",        "Compose",              PN_KIND_TRIGGER, 0,   1,   0,   21, 0,               "",     "")
/* clang-format on */

/* PN_PARAM_ENGINE = 0, ...: ids by name */
#define PN_PARAM_ID_(id, NAME, ...) PN_PARAM_##NAME = id,
enum { PN_PARAMS(PN_PARAM_ID_) PN_PARAM_COUNT };
#undef PN_PARAM_ID_

/* The one text parameter: the compose engine's prompt (UTF-8, at most PN_PROMPT_MAX_BYTES bytes; a
   longer one is cut at a character boundary). Not in the table above: hosts automate numbers only.
   LV2: a patch:writable property of range atom:String on events_in, saved with the state
   extension; CLAP and VST3: in the saved state (pn_state.h). A new instance starts with
   $PIANOLA_PROMPT (empty when unset); Java gets it as PROMPT records (pn_protocol.h). */
#define PN_PROMPT_SYMBOL "prompt"
#define PN_PROMPT_LABEL "Prompt"
#define PN_PROMPT_MAX_BYTES 1024u

/* Values of the status parameter (its choices above). */
enum { PN_STATUS_OK = 0, PN_STATUS_STARTING = 1, PN_STATUS_JAVA_UNAVAILABLE = 2, PN_STATUS_ERROR = 3 };

typedef struct PnParamInfo {
  unsigned id;
  const char* symbol;
  const char* label;
  int kind;
  double min, max, def;
  unsigned lv2_port;
  unsigned flags;
  const char* unit;
  const char* choices;
} PnParamInfo;

/* The table as data, indexed by id (ids are 0..PN_PARAM_COUNT-1; pn_params.c checks it). */
extern const PnParamInfo pn_params[PN_PARAM_COUNT];

/* The value clamped into the parameter's range and rounded for integer kinds; false for a value
   that is not a number (NaN, +-inf), which the caller then ignores. */
bool pn_param_sanitize(unsigned id, double value, float* out);

/* The label of an ENUM value ("" past its choices); writes into buf. */
const char* pn_param_choice(unsigned id, int value, char* buf, unsigned len);

/* A value as a host shows it ("REMI (GPT-2)", "On", "4 bars", "1.50"); false for NaN or an id
   out of range. */
bool pn_param_format(unsigned id, double value, char* buf, unsigned len);

/* A host's text back to a value (a choice's label in any case, On/Off, or a number, clamped). */
bool pn_param_parse(unsigned id, const char* text, double* value);

/* The plain value <-> 0..1 (VST3's normalized values; integer kinds round to their steps). */
double pn_param_to_normalized(unsigned id, double value);
double pn_param_from_normalized(unsigned id, double normalized);

#ifdef __cplusplus
}
#endif

#endif
