/*
 * spsc_ring.h: a single-producer single-consumer ring of fixed-size records in one contiguous
 * block of memory, shared between the host's audio thread and (in a later step) a Java thread
 * that maps the same block as a direct ByteBuffer.
 *
 * Real time: push/pop/peek never allocate, lock, block or make system calls; they are a few loads,
 * a memcpy and one release store. Only pn_ring_create/pn_ring_destroy allocate; call them outside
 * run() (instantiate/cleanup).
 *
 * MEMORY LAYOUT (version 1). Every field is in native byte order, which this header requires to
 * be little-endian (x86-64, arm64); Java must use ByteOrder.LITTLE_ENDIAN (= nativeOrder()) on
 * the buffer. The block starts 64-byte aligned (pn_ring_create), so the 8-byte counters are
 * naturally aligned, as VarHandle atomic access on a ByteBuffer requires.
 *
 *   offset  size  field
 *        0     4  magic        u32 0x50524E47 (PN_RING_MAGIC)
 *        4     4  version      u32 1
 *        8     4  record_size  u32 bytes per record, a multiple of 4, at least 4 (the record rings
 *                              use multiples of 8, so that their 8-byte fields are aligned; the
 *                              audio ring's records are single float32 samples, 4 bytes)
 *       12     4  capacity     u32 records, a power of two
 *       16    48  reserved     zero
 *       64     8  head         u64 records ever pushed. Written only by the producer, with a
 *                              release store after the record's bytes; read by the consumer with
 *                              an acquire load (Java: VarHandle getAcquire / setRelease).
 *       72    56  padding      (head alone on its 64-byte cache line: no false sharing)
 *      128     8  tail         u64 records ever popped. Written only by the consumer, with a
 *                              release store after it has copied the record out; read by the
 *                              producer with an acquire load.
 *      136    56  padding
 *      192     -  records      capacity * record_size bytes. Record number n (a head or tail
 *                              value) lives at 192 + (n & (capacity - 1)) * record_size.
 *
 * head and tail only grow (2^64 records never wrap in practice); head - tail is the number of
 * records waiting: 0 = empty, capacity = full. A full ring refuses a push (the caller counts the
 * drop); nothing is ever overwritten. The record contents are defined by each ring's user (see
 * pn_protocol.h and scheduler.h for the input and output rings).
 */
#ifndef PIANOLA_SPSC_RING_H
#define PIANOLA_SPSC_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn_platform.h"

#define PN_RING_MAGIC 0x50524E47u
#define PN_RING_VERSION 1u
#define PN_RING_HEADER_BYTES 192u
#define PN_RING_ALIGN 64u

/* The layout above is a contract with Java: fail the build rather than drift from it. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pianola rings are specified little-endian; this target is not"
#endif
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free (no hidden locks on the audio thread)");

typedef struct PnRing {
  uint32_t magic;
  uint32_t version;
  uint32_t record_size;
  uint32_t capacity;
  uint8_t reserved[48];
  _Atomic uint64_t head;
  uint8_t pad_head[56];
  _Atomic uint64_t tail;
  uint8_t pad_tail[56];
  /* records follow */
} PnRing;

_Static_assert(offsetof(PnRing, record_size) == 8, "layout: record_size");
_Static_assert(offsetof(PnRing, capacity) == 12, "layout: capacity");
_Static_assert(offsetof(PnRing, head) == 64, "layout: head");
_Static_assert(offsetof(PnRing, tail) == 128, "layout: tail");
_Static_assert(sizeof(PnRing) == PN_RING_HEADER_BYTES, "layout: header size");
_Static_assert(sizeof(_Atomic uint64_t) == 8, "layout: counters are plain 8-byte words");

/* Bytes a ring of this shape needs, or 0 if the shape is invalid. */
static inline size_t pn_ring_bytes(uint32_t capacity, uint32_t record_size) {
  if (capacity == 0 || (capacity & (capacity - 1)) != 0) return 0;   /* mask indexing needs 2^k */
  if (record_size < 4 || record_size % 4 != 0) return 0;              /* 4-aligned records (floats); 8-byte fields need multiples of 8 */
  return (size_t)PN_RING_HEADER_BYTES + (size_t)capacity * record_size;
}

/* Formats memory the caller owns (pn_ring_bytes long, 64-byte aligned) as an empty ring. */
static inline PnRing* pn_ring_init(void* mem, uint32_t capacity, uint32_t record_size) {
  const size_t bytes = pn_ring_bytes(capacity, record_size);
  if (!mem || bytes == 0 || ((uintptr_t)mem % PN_RING_ALIGN) != 0) return NULL;
  memset(mem, 0, bytes);
  PnRing* r = (PnRing*)mem;
  r->magic = PN_RING_MAGIC;
  r->version = PN_RING_VERSION;
  r->record_size = record_size;
  r->capacity = capacity;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  /* publish the formatted header before the block is handed to another thread */
  atomic_thread_fence(memory_order_release);
  return r;
}

/* Allocates and formats a ring (not real-time: instantiate only). */
static inline PnRing* pn_ring_create(uint32_t capacity, uint32_t record_size) {
  const size_t bytes = pn_ring_bytes(capacity, record_size);
  if (bytes == 0) return NULL;
  /* aligned_alloc wants a size that is a multiple of the alignment */
  void* mem = pn_aligned_alloc(PN_RING_ALIGN, (bytes + PN_RING_ALIGN - 1) / PN_RING_ALIGN * PN_RING_ALIGN);
  if (!mem) return NULL;
  return pn_ring_init(mem, capacity, record_size);
}

static inline void pn_ring_destroy(PnRing* r) { pn_aligned_free(r); }

static inline uint8_t* pn_ring_slot(PnRing* r, uint64_t n) {
  return (uint8_t*)r + PN_RING_HEADER_BYTES + (size_t)(n & (r->capacity - 1)) * r->record_size;
}

/* Producer side. Copies one record (record_size bytes) in; false when full. */
static inline bool pn_ring_push(PnRing* r, const void* record) {
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);  /* only we write it */
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);  /* slot reuse after the consumer's copy */
  if (head - tail >= r->capacity) return false;
  memcpy(pn_ring_slot(r, head), record, r->record_size);
  atomic_store_explicit(&r->head, head + 1, memory_order_release);            /* record bytes before the new head */
  return true;
}

/* Producer side. Copies `count` records in, all or nothing (at most two memcpys across the wrap);
   false when they do not all fit. The audio ring uses it: a block's samples arrive whole or not
   at all, so the reader never sees part of a block. */
static inline bool pn_ring_push_n(PnRing* r, const void* records, uint32_t count) {
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  if (count > r->capacity || head - tail > (uint64_t)(r->capacity - count)) return false;
  const uint32_t at = (uint32_t)(head & (r->capacity - 1));
  const uint32_t first = count < r->capacity - at ? count : r->capacity - at;
  memcpy(pn_ring_slot(r, head), records, (size_t)first * r->record_size);
  if (count > first) memcpy(pn_ring_slot(r, 0), (const uint8_t*)records + (size_t)first * r->record_size, (size_t)(count - first) * r->record_size);
  atomic_store_explicit(&r->head, head + count, memory_order_release);
  return true;
}

/* Consumer side: the oldest record without removing it, or NULL when empty. */
static inline const void* pn_ring_peek(PnRing* r) {
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);  /* see the producer's bytes */
  if (head == tail) return NULL;
  return pn_ring_slot(r, tail);
}

/* Consumer side: releases the record pn_ring_peek returned (call only after a non-NULL peek). */
static inline void pn_ring_drop(PnRing* r) {
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  atomic_store_explicit(&r->tail, tail + 1, memory_order_release);            /* our reads before the slot is reused */
}

/* Consumer side. Copies the oldest record out; false when empty. */
static inline bool pn_ring_pop(PnRing* r, void* record) {
  const void* slot = pn_ring_peek(r);
  if (!slot) return false;
  memcpy(record, slot, r->record_size);
  pn_ring_drop(r);
  return true;
}

/* Records waiting (exact from either side's point of view only for that side). */
static inline uint64_t pn_ring_count(PnRing* r) {
  const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  const uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  return head - tail;
}

#endif
