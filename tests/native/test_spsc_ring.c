/* test_spsc_ring.c: the ring's shape rules, its byte layout (the contract with Java), full and
   empty, wraparound, peek/drop, and two threads passing two million records. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>

#include "check.h"
#include "spsc_ring.h"

typedef struct {
  uint64_t seq;
  uint64_t check; /* ~seq: a torn or stale record shows up as a mismatch */
} Rec;

static uint32_t u32_at(const void* base, size_t off) {
  uint32_t v;
  memcpy(&v, (const uint8_t*)base + off, 4);
  return v;
}
static uint64_t u64_at(const void* base, size_t off) {
  uint64_t v;
  memcpy(&v, (const uint8_t*)base + off, 8);
  return v;
}

static void test_shape(void) {
  CHECK(pn_ring_bytes(0, 16) == 0, "capacity 0 refused");
  CHECK(pn_ring_bytes(6, 16) == 0, "capacity 6 (not a power of two) refused");
  CHECK(pn_ring_bytes(8, 6) == 0, "record size 6 (not a multiple of 4) refused");
  CHECK(pn_ring_bytes(8, 4) == 192 + 8 * 4, "record size 4 (one float32 sample) allowed");
  CHECK(pn_ring_bytes(8, 0) == 0, "record size 0 refused");
  CHECK(pn_ring_bytes(8, 16) == 192 + 8 * 16, "bytes = header + records");
  CHECK(pn_ring_bytes(1, 8) == 200, "capacity 1 is a power of two");
  alignas(64) static uint8_t mem[1024];
  CHECK(pn_ring_init(mem + 8, 4, 16) == NULL, "misaligned memory refused");
  CHECK(pn_ring_create(3, 16) == NULL, "create refuses a bad shape");
}

static void test_layout(void) {
  PnRing* r = pn_ring_create(4, 16);
  CHECK(r != NULL, "create");
  if (!r) return;
  CHECK(((uintptr_t)r % 64) == 0, "64-byte aligned");
  CHECK(u32_at(r, 0) == 0x50524E47u, "magic at 0");
  CHECK(u32_at(r, 4) == 1, "version at 4");
  CHECK(u32_at(r, 8) == 16, "record size at 8");
  CHECK(u32_at(r, 12) == 4, "capacity at 12");
  for (size_t i = 16; i < 64; i++) CHECK(((uint8_t*)r)[i] == 0, "reserved byte %zu zero", i);
  /* push 6 (popping 2 on the way): head 6, tail 2; record n at 192 + (n & 3) * 16 */
  for (uint64_t i = 0; i < 6; i++) {
    Rec rec = {i, ~i};
    if (i == 4) {
      Rec out;
      pn_ring_pop(r, &out);
      pn_ring_pop(r, &out);
    }
    CHECK(pn_ring_push(r, &rec), "push %" PRIu64, i);
  }
  CHECK(u64_at(r, 64) == 6, "head (u64 at 64) counts pushes: %" PRIu64, u64_at(r, 64));
  CHECK(u64_at(r, 128) == 2, "tail (u64 at 128) counts pops: %" PRIu64, u64_at(r, 128));
  CHECK(u64_at(r, 192 + (5 & 3) * 16) == 5, "record 5 at 192 + (5 & 3) * 16");
  CHECK(u64_at(r, 192 + (4 & 3) * 16) == 4, "record 4 at 192 + (4 & 3) * 16");
  CHECK(u64_at(r, 192 + (2 & 3) * 16) == 2, "record 2 still at 192 + 2 * 16");
  CHECK(u64_at(r, 192 + 2 * 16 + 8) == ~(uint64_t)2, "record fields little-endian in place");
  pn_ring_destroy(r);
}

static void test_full_and_empty(void) {
  PnRing* r = pn_ring_create(8, 16);
  Rec rec = {0, 0}, out;
  CHECK(!pn_ring_pop(r, &out), "empty ring pops nothing");
  CHECK(pn_ring_peek(r) == NULL, "empty ring peeks nothing");
  int pushed = 0;
  for (uint64_t i = 0; i < 8; i++) {
    rec.seq = i;
    pushed += pn_ring_push(r, &rec);
  }
  CHECK(pushed == 8, "8 pushes fit capacity 8");
  rec.seq = 99;
  CHECK(!pn_ring_push(r, &rec), "full ring refuses the 9th");
  CHECK(pn_ring_count(r) == 8, "count 8 when full");
  CHECK(pn_ring_pop(r, &out) && out.seq == 0, "oldest first");
  CHECK(pn_ring_push(r, &rec), "one free slot after a pop");
  CHECK(!pn_ring_push(r, &rec), "full again");
  const Rec* head = (const Rec*)pn_ring_peek(r);
  CHECK(head && head->seq == 1, "peek sees the oldest");
  pn_ring_drop(r);
  CHECK(pn_ring_pop(r, &out) && out.seq == 2, "drop removed exactly one");
  uint64_t last = 0;
  while (pn_ring_pop(r, &out)) last = out.seq;
  CHECK(last == 99, "the refused record was never stored, the accepted one is last");
  pn_ring_destroy(r);
}

static void test_wraparound(void) {
  PnRing* r = pn_ring_create(8, 16);
  uint64_t next_in = 0, next_out = 0;
  int bad = 0;
  /* uneven batches so every slot is crossed at every phase, many times over */
  for (int round = 0; round < 1000; round++) {
    const int in = 1 + round % 8, outn = 1 + (round * 5) % 8;
    for (int i = 0; i < in; i++) {
      Rec rec = {next_in, ~next_in};
      if (pn_ring_push(r, &rec)) next_in++;
    }
    for (int i = 0; i < outn; i++) {
      Rec out;
      if (!pn_ring_pop(r, &out)) break;
      bad += out.seq != next_out || out.check != ~next_out;
      next_out++;
    }
  }
  CHECK(bad == 0, "records come out in order and whole across wraparound (%d bad)", bad);
  CHECK(next_in > 1000, "the ring wrapped many times (%" PRIu64 " records)", next_in);
  CHECK(u64_at(r, 64) == next_in && u64_at(r, 128) == next_out, "counters never wrap to the capacity");
  pn_ring_destroy(r);
}

/* The audio ring: blocks of float samples pushed whole or not at all, across the wrap. */
static void test_sample_blocks(void) {
  PnRing* r = pn_ring_create(64, sizeof(float));
  CHECK(r != NULL, "a ring of 4-byte float records");
  float block[40], out;
  uint32_t next_in = 0, next_out = 0, refused = 0;
  int bad = 0;
  for (int round = 0; round < 500; round++) {
    const uint32_t n = 1 + (uint32_t)(round * 7) % 40;
    for (uint32_t i = 0; i < n; i++) block[i] = (float)(next_in + i);
    const uint64_t head_before = u64_at(r, 64);
    if (pn_ring_push_n(r, block, n)) next_in += n;
    else {
      refused++;
      bad += u64_at(r, 64) != head_before; /* a refused block moves nothing */
    }
    const uint32_t take = 1 + (uint32_t)(round * 13) % 37;
    for (uint32_t i = 0; i < take && pn_ring_pop(r, &out); i++) bad += out != (float)next_out++;
  }
  CHECK(bad == 0, "samples come out in order, blocks whole, across the wrap (%d bad)", bad);
  CHECK(refused > 0 && next_in > 1000, "some blocks refused when full (%u), many pushed (%u)", refused, next_in);
  CHECK(!pn_ring_push_n(r, block, 65), "a block larger than the ring is refused");
  pn_ring_destroy(r);
}

#define STRESS_RECORDS 2000000u

static void* producer(void* arg) {
  PnRing* r = (PnRing*)arg;
  for (uint64_t i = 0; i < STRESS_RECORDS;) {
    Rec rec = {i, ~i};
    if (pn_ring_push(r, &rec)) i++;
    else sched_yield(); /* 2 cores: let the consumer in */
  }
  return NULL;
}

static void test_two_threads(void) {
  PnRing* r = pn_ring_create(64, 16);
  pthread_t th;
  CHECK(pthread_create(&th, NULL, producer, r) == 0, "producer thread");
  uint64_t expect = 0, bad = 0;
  while (expect < STRESS_RECORDS) {
    Rec out;
    if (pn_ring_pop(r, &out)) {
      bad += out.seq != expect || out.check != ~expect;
      expect++;
    } else {
      sched_yield();
    }
  }
  pthread_join(th, NULL);
  CHECK(bad == 0, "2M records across threads arrive in order and intact (%" PRIu64 " bad)", bad);
  CHECK(pn_ring_count(r) == 0, "ring drained");
  pn_ring_destroy(r);
}

int main(void) {
  test_shape();
  test_layout();
  test_full_and_empty();
  test_wraparound();
  test_sample_blocks();
  test_two_threads();
  return check_summary("test_spsc_ring");
}
