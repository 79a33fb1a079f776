/*
 * gen_protocol.c: writes the shim's side of the Java protocol, as the compiler sees it, to
 * target/protocol.tsv: record kinds and flags, field offsets and sizes, ring sizes, the control
 * block, and every parameter (pn_params.h). The Java test ProtocolTest checks Java's constants
 * against this file, so the two sides cannot drift apart silently.
 * Lines: `const NAME VALUE` and `param ID SYMBOL KIND MIN MAX DEFAULT FLAGS LABEL`.
 */
#include <stddef.h>
#include <stdio.h>

#include "java_bridge.h"
#include "pn_params.h"
#include "pn_protocol.h"
#include "scheduler.h"
#include "spsc_ring.h"

#define CONST(name, value) printf("const\t%s\t%lld\n", name, (long long)(value))

int main(void) {
  CONST("REC_MIDI", PN_REC_MIDI);
  CONST("REC_TRANSPORT", PN_REC_TRANSPORT);
  CONST("REC_PARAMETER", PN_REC_PARAMETER);
  CONST("REC_BLOCK", PN_REC_BLOCK);
  CONST("REC_PLAYED", PN_REC_PLAYED);
  CONST("REC_PROMPT", PN_REC_PROMPT);
  CONST("PROMPT_CHUNK_BYTES", PN_PROMPT_CHUNK_BYTES);
  CONST("PROMPT_MAX_BYTES", PN_PROMPT_MAX_BYTES);
  CONST("TR_ROLLING", PN_TR_ROLLING);
  CONST("TR_JUMPED", PN_TR_JUMPED);
  CONST("TR_GRID", PN_TR_GRID);
  CONST("TR_DROPPED", PN_TR_DROPPED);
  CONST("TR_RESYNC", PN_TR_RESYNC);
  CONST("BLOCK_AUDIO", PN_BLOCK_AUDIO);
  CONST("INPUT_RECORD_BYTES", sizeof(PnInputRecord));
  CONST("INPUT_TIME", offsetof(PnInputRecord, time));
  CONST("INPUT_BEAT", offsetof(PnInputRecord, beat));
  CONST("INPUT_KIND", offsetof(PnInputRecord, kind));
  CONST("INPUT_ARG", offsetof(PnInputRecord, arg));
  CONST("INPUT_BEAT_UNIT", offsetof(PnInputRecord, beat_unit));
  CONST("INPUT_PAYLOAD", offsetof(PnInputRecord, u));
  CONST("NOTE_RECORD_BYTES", sizeof(PnNoteRecord));
  CONST("NOTE_BEAT", offsetof(PnNoteRecord, beat));
  CONST("NOTE_STATUS", offsetof(PnNoteRecord, status));
  CONST("NOTE_FLAGS", offsetof(PnNoteRecord, flags));
  CONST("NOTE_EPOCH", offsetof(PnNoteRecord, epoch));
  CONST("NOTE_CLEAR_FROM", PN_NOTE_CLEAR_FROM);
  CONST("IN_RING_RECORDS", PN_IN_RING_RECORDS);
  CONST("OUT_RING_RECORDS", PN_OUT_RING_RECORDS);
  CONST("AUDIO_RING_SAMPLES", PN_AUDIO_RING_SAMPLES);
  CONST("RING_MAGIC", PN_RING_MAGIC);
  CONST("RING_HEADER_BYTES", PN_RING_HEADER_BYTES);
  CONST("CONTROL_MAGIC", PN_CONTROL_MAGIC);
  CONST("CONTROL_BYTES", sizeof(PnControl));
  CONST("CONTROL_PROCESSED", offsetof(PnControl, processed));
  CONST("CONTROL_JAVA_STATUS", offsetof(PnControl, java_status));
  CONST("STATUS_OK", PN_STATUS_OK);
  CONST("STATUS_STARTING", PN_STATUS_STARTING);
  CONST("STATUS_JAVA_UNAVAILABLE", PN_STATUS_JAVA_UNAVAILABLE);
  CONST("STATUS_ERROR", PN_STATUS_ERROR);
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++) {
    const PnParamInfo* p = &pn_params[i];
    printf("param\t%u\t%s\t%d\t%g\t%g\t%g\t%u\t%s\n", p->id, p->symbol, p->kind, p->min, p->max, p->def, p->flags, p->label);
  }
  return 0;
}
