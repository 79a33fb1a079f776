/* test_urid.h: a urid:map for the tests, as a host provides one (URIs interned in a fixed table). */
#ifndef PIANOLA_TEST_URID_H
#define PIANOLA_TEST_URID_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/urid/urid.h>

#define TEST_URID_MAX 256

typedef struct {
  char* uris[TEST_URID_MAX];
  unsigned count;
} TestUrids;

static inline LV2_URID test_urid_map(LV2_URID_Map_Handle handle, const char* uri) {
  TestUrids* t = (TestUrids*)handle;
  for (unsigned i = 0; i < t->count; i++)
    if (!strcmp(t->uris[i], uri)) return i + 1; /* 0 is "no URID" in LV2 */
  if (t->count == TEST_URID_MAX) {
    fprintf(stderr, "test urid map full\n");
    abort();
  }
  const size_t n = strlen(uri) + 1;
  t->uris[t->count] = (char*)malloc(n);
  memcpy(t->uris[t->count], uri, n);
  return ++t->count;
}

static inline const char* test_urid_unmap(LV2_URID_Unmap_Handle handle, LV2_URID urid) {
  TestUrids* t = (TestUrids*)handle;
  return (urid >= 1 && urid <= t->count) ? t->uris[urid - 1] : NULL;
}

static inline void test_urids_free(TestUrids* t) {
  for (unsigned i = 0; i < t->count; i++) free(t->uris[i]);
  t->count = 0;
}

#endif
