/* check.h: the counters every native test prints ("N passed, M failed") and exits on. */
#ifndef PIANOLA_TEST_CHECK_H
#define PIANOLA_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

/* One named expectation; a failure says where and why, and the run goes on to count the rest. */
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (cond) {                                                   \
      check_passed++;                                             \
    } else {                                                      \
      check_failed++;                                             \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);        \
      fprintf(stderr, __VA_ARGS__);                               \
      fputc('\n', stderr);                                        \
    }                                                             \
  } while (0)

/* Prints the closing line and gives the exit status: non-zero on any failure (or no check). */
static inline int check_summary(const char* name) {
  printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
  return (check_failed || !check_passed) ? 1 : 0;
}

#endif
