/*
 * java_bridge.h: one plug-in instance's link to its Java side (dev.pianola.plugin.Bridge).
 *
 * instantiate() calls pn_java_start, which starts a starter thread and returns at once: that
 * thread gets the process's JVM (jvm_loader.h), attaches, and calls Bridge.open with the rings and
 * the control block as direct ByteBuffers; `status` goes 1 (starting) -> 0 (running), or 2 (no
 * JRE) / 3 (error). cleanup() calls pn_java_stop: joins the starter, then Bridge.close (which stops
 * the instance's Java thread before the shared memory is freed).
 *
 * run() only reads `status` (an atomic load) and the control block: it never enters the JVM.
 *
 * CONTROL BLOCK (Java <-> C, 128 bytes, 64-byte aligned, little-endian), besides the two rings:
 *   offset 0   u32 magic 0x50524E43 ("PRNC"), 4 u32 version 1, 8..63 reserved
 *   offset 64  i64 processed  Java: every input record up to the BLOCK record ending at this frame
 *                             is consumed and the notes it caused are in the note ring (release
 *                             store after the notes' head); C reads it with acquire (freewheel)
 *   offset 72  i32 java_status Java: 0 running, 3 error (an engine failed, an exception); release
 *   offset 76  52 bytes padding
 */
#ifndef PIANOLA_JAVA_BRIDGE_H
#define PIANOLA_JAVA_BRIDGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn_callbacks.h"
#include "spsc_ring.h"

#define PN_CONTROL_MAGIC 0x50524E43u

typedef struct PnControl {
  uint32_t magic;
  uint32_t version;
  uint8_t reserved[56];
  _Atomic int64_t processed;
  _Atomic int32_t java_status;
  uint8_t pad[52];
} PnControl;
_Static_assert(offsetof(PnControl, processed) == 64, "control: processed at 64");
_Static_assert(offsetof(PnControl, java_status) == 72, "control: java_status at 72");
_Static_assert(sizeof(PnControl) == 128, "control block is 128 bytes");


typedef struct PnJava {
  _Atomic int status; /* the status port's value while the Java side is not the problem */
  /* what the starter needs (owned by the instance, valid until pn_java_stop returns) */
  char bundle[4096];
  double rate;
  PnRing* in_ring;
  PnRing* out_ring;
  PnRing* audio_ring;
  PnControl* control;
  PnLineFn log;
  void* log_ctx;
  /* the starter's results */
  pthread_t starter;
  bool starter_running;
  int64_t handle;        /* Bridge's instance handle, 0 = none */
  double start_ms;       /* instantiate -> Bridge.open returned, for the log and the tests */
} PnJava;

/* Formats the control block (instantiate). */
void pn_control_init(PnControl* c);

/* Starts the starter thread. Not real time. False (status 3) if the thread cannot be made. */
bool pn_java_start(PnJava* j);

/* Joins the starter and closes the Java instance. Not real time. False when Java did not confirm
   it stopped reading the shared memory: the caller must then leak it rather than free it. */
bool pn_java_stop(PnJava* j);

#endif
