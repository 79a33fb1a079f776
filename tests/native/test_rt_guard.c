/* test_rt_guard.c: the audio-thread watch of rt_guard.h sees what it must (so a zero in a host's
   test means something): an allocation, a free, a lock, a sleep and a write inside rt_enter/rt_leave,
   made here and made by a shared library (libc's own strdup, which allocates inside libc), are
   counted; the same calls outside, or on another thread, are not. Linked with -rdynamic. */
#include "rt_guard.h"

#include "check.h"

static void* other_thread(void* arg) {
  (void)arg;
  free(malloc(64)); /* not the watched thread */
  return NULL;
}

int main(void) {
  free(malloc(16)); /* outside: not counted */
  CHECK(rt_total() == 0, "nothing counted outside rt_enter/rt_leave (%u)", rt_total());

  rt_enter();
  void* p = malloc(32);
  rt_leave();
  CHECK(rt_count(RT_ALLOC) == 1, "malloc on the watched thread is counted (%u)", rt_count(RT_ALLOC));
  rt_enter();
  free(p);
  char* s = strdup("inside libc"); /* libc allocates on our behalf: interposed too */
  rt_leave();
  CHECK(rt_count(RT_ALLOC) == 3, "free, and libc's own allocation in strdup, are counted (%u)", rt_count(RT_ALLOC));
  free(s);

  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  rt_enter();
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  const struct timespec nap = {0, 1000};
  nanosleep(&nap, NULL);
  const ssize_t w = write(-1, "x", 1); /* a blocking system call, even a failing one */
  rt_leave();
  (void)w;
  CHECK(rt_count(RT_LOCK) == 1 && rt_count(RT_SLEEP) == 1 && rt_count(RT_IO) == 1,
        "a lock, a sleep and a write are counted (%u, %u, %u)", rt_count(RT_LOCK), rt_count(RT_SLEEP),
        rt_count(RT_IO));

  rt_reset();
  rt_enter();
  pthread_t t;
  pthread_create(&t, NULL, other_thread, NULL); /* creating a thread allocates: counted, then reset */
  rt_leave();
  pthread_join(t, NULL);
  rt_reset();
  rt_enter();
  pthread_create(&t, NULL, other_thread, NULL);
  rt_leave();
  const unsigned before = rt_total();
  pthread_join(t, NULL);
  CHECK(rt_total() == before, "another thread's allocations are not counted");
  return check_summary("test_rt_guard");
}
