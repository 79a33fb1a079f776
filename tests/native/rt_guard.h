/* rt_guard.h: counts, on the host's audio thread, the calls real-time code must never make:
   allocation (malloc, calloc, realloc, free, aligned_alloc, posix_memalign, memalign, mmap,
   munmap), locks and waits (pthread mutexes, rwlocks, condition variables, semaphores), sleeping
   and blocking system calls (nanosleep, clock_nanosleep, usleep, read, write, open, openat, poll,
   select). A test host includes it in ONE file and links with -rdynamic: its definitions then take
   the place of libc's for every library in the process, the plug-in included (ELF interposition,
   as glibc allows for malloc), and forward to libc's. The host brackets each real-time process()
   call with rt_enter()/rt_leave(); only calls made on that thread between the two are counted, so
   the JVM's threads and the host's own work outside process() are not.
   rt_report(name) prints the counts; rt_total() is what a test asserts zero. */
#ifndef PIANOLA_RT_GUARD_H
#define PIANOLA_RT_GUARD_H

#ifdef _WIN32
/* Windows has no ELF interposition: the watch is off there (RT_GUARD_ACTIVE 0) and hosts skip
   their zero-count checks; the same code paths are watched on Linux. */
#include <stdio.h>
#define RT_GUARD_ACTIVE 0
static inline void rt_enter(void) {}
static inline void rt_leave(void) {}
static inline unsigned rt_total(void) { return 0; }
static inline void rt_reset(void) {}
static inline void rt_report(const char* name) { printf("%s: real-time calls not watched on Windows\n", name); }
#else
#define RT_GUARD_ACTIVE 1

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

enum { RT_ALLOC, RT_LOCK, RT_SLEEP, RT_IO, RT_KINDS };
static const char* const rt_kind_names[RT_KINDS] = {"allocation", "lock or wait", "sleep", "blocking I/O"};
/* plain variables with GCC's atomic builtins: the header is C and C++ (the VST3 host) */
static unsigned rt_counts[RT_KINDS];
static const char* rt_first[RT_KINDS]; /* the first function seen of each kind */
static __thread int rt_inside;
#define rt_count(k) __atomic_load_n(&rt_counts[k], __ATOMIC_RELAXED)

#ifdef __cplusplus
extern "C" {
#endif

static inline void rt_enter(void) { rt_inside = 1; }
static inline void rt_leave(void) { rt_inside = 0; }
static inline unsigned rt_total(void) {
  unsigned n = 0;
  for (int k = 0; k < RT_KINDS; k++) n += rt_count(k);
  return n;
}
static inline void rt_reset(void) {
  for (int k = 0; k < RT_KINDS; k++) __atomic_store_n(&rt_counts[k], 0, __ATOMIC_RELAXED);
}
static inline void rt_report(const char* name) {
  printf("%s: real-time calls on the audio thread:", name);
  for (int k = 0; k < RT_KINDS; k++) {
    const char* f = __atomic_load_n(&rt_first[k], __ATOMIC_RELAXED);
    printf(" %s %u%s%s%s", rt_kind_names[k], rt_count(k), f ? " (first: " : "", f ? f : "", f ? ")" : "");
  }
  printf("\n");
}

static inline void rt_hit(int kind, const char* fn) {
  if (!rt_inside) return;
  rt_inside = 0; /* what follows may call more of these */
  __atomic_fetch_add(&rt_counts[kind], 1, __ATOMIC_RELAXED);
  const char* none = NULL;
  __atomic_compare_exchange_n(&rt_first[kind], &none, fn, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  rt_inside = 1;
}

/* libc's own entry points (glibc exports these under their internal names) */
extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);

void* malloc(size_t n) {
  rt_hit(RT_ALLOC, "malloc");
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  rt_hit(RT_ALLOC, "calloc");
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  rt_hit(RT_ALLOC, "realloc");
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p) rt_hit(RT_ALLOC, "free");
  __libc_free(p);
}
void* aligned_alloc(size_t a, size_t n) {
  rt_hit(RT_ALLOC, "aligned_alloc");
  return __libc_memalign(a, n);
}
void* memalign(size_t a, size_t n) {
  rt_hit(RT_ALLOC, "memalign");
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  rt_hit(RT_ALLOC, "posix_memalign");
  void* p = __libc_memalign(a, n);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

/* the rest forward through dlsym(RTLD_NEXT): looked up on first use, never on the audio thread's
   first call only because rt_hit runs first and the lookup itself is not counted */
#define RT_NEXT(ret, name, params)                       \
  typedef ret(*rt_##name##_fn) params;                   \
  static rt_##name##_fn rt_next_##name(void) {           \
    static rt_##name##_fn f;                             \
    if (!f) {                                            \
      const int inside = rt_inside;                      \
      rt_inside = 0;                                     \
      f = (rt_##name##_fn)dlsym(RTLD_NEXT, #name);       \
      rt_inside = inside;                                \
    }                                                    \
    return f;                                            \
  }

RT_NEXT(void*, mmap, (void*, size_t, int, int, int, off_t))
void* mmap(void* a, size_t n, int prot, int flags, int fd, off_t off) {
  rt_hit(RT_ALLOC, "mmap");
  return rt_next_mmap()(a, n, prot, flags, fd, off);
}
RT_NEXT(int, munmap, (void*, size_t))
int munmap(void* a, size_t n) {
  rt_hit(RT_ALLOC, "munmap");
  return rt_next_munmap()(a, n);
}
RT_NEXT(int, pthread_mutex_lock, (pthread_mutex_t*))
int pthread_mutex_lock(pthread_mutex_t* m) {
  rt_hit(RT_LOCK, "pthread_mutex_lock");
  return rt_next_pthread_mutex_lock()(m);
}
RT_NEXT(int, pthread_mutex_trylock, (pthread_mutex_t*))
int pthread_mutex_trylock(pthread_mutex_t* m) {
  rt_hit(RT_LOCK, "pthread_mutex_trylock");
  return rt_next_pthread_mutex_trylock()(m);
}
RT_NEXT(int, pthread_rwlock_rdlock, (pthread_rwlock_t*))
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  rt_hit(RT_LOCK, "pthread_rwlock_rdlock");
  return rt_next_pthread_rwlock_rdlock()(l);
}
RT_NEXT(int, pthread_rwlock_wrlock, (pthread_rwlock_t*))
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  rt_hit(RT_LOCK, "pthread_rwlock_wrlock");
  return rt_next_pthread_rwlock_wrlock()(l);
}
RT_NEXT(int, pthread_cond_wait, (pthread_cond_t*, pthread_mutex_t*))
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  rt_hit(RT_LOCK, "pthread_cond_wait");
  return rt_next_pthread_cond_wait()(c, m);
}
RT_NEXT(int, pthread_cond_timedwait, (pthread_cond_t*, pthread_mutex_t*, const struct timespec*))
int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* t) {
  rt_hit(RT_LOCK, "pthread_cond_timedwait");
  return rt_next_pthread_cond_timedwait()(c, m, t);
}
RT_NEXT(int, sem_wait, (sem_t*))
int sem_wait(sem_t* s) {
  rt_hit(RT_LOCK, "sem_wait");
  return rt_next_sem_wait()(s);
}
RT_NEXT(int, nanosleep, (const struct timespec*, struct timespec*))
int nanosleep(const struct timespec* a, struct timespec* b) {
  rt_hit(RT_SLEEP, "nanosleep");
  return rt_next_nanosleep()(a, b);
}
RT_NEXT(int, clock_nanosleep, (clockid_t, int, const struct timespec*, struct timespec*))
int clock_nanosleep(clockid_t c, int f, const struct timespec* a, struct timespec* b) {
  rt_hit(RT_SLEEP, "clock_nanosleep");
  return rt_next_clock_nanosleep()(c, f, a, b);
}
RT_NEXT(int, usleep, (useconds_t))
int usleep(useconds_t u) {
  rt_hit(RT_SLEEP, "usleep");
  return rt_next_usleep()(u);
}
RT_NEXT(ssize_t, read, (int, void*, size_t))
ssize_t read(int fd, void* b, size_t n) {
  rt_hit(RT_IO, "read");
  return rt_next_read()(fd, b, n);
}
RT_NEXT(ssize_t, write, (int, const void*, size_t))
ssize_t write(int fd, const void* b, size_t n) {
  rt_hit(RT_IO, "write");
  return rt_next_write()(fd, b, n);
}
RT_NEXT(int, poll, (struct pollfd*, nfds_t, int))
int poll(struct pollfd* f, nfds_t n, int t) {
  rt_hit(RT_IO, "poll");
  return rt_next_poll()(f, n, t);
}
RT_NEXT(int, select, (int, fd_set*, fd_set*, fd_set*, struct timeval*))
int select(int n, fd_set* r, fd_set* w, fd_set* e, struct timeval* t) {
  rt_hit(RT_IO, "select");
  return rt_next_select()(n, r, w, e, t);
}
RT_NEXT(int, open, (const char*, int, ...))
int open(const char* path, int flags, ...) {
  rt_hit(RT_IO, "open");
  va_list ap;
  va_start(ap, flags);
  const int mode = va_arg(ap, int);
  va_end(ap);
  return rt_next_open()(path, flags, mode);
}
RT_NEXT(int, openat, (int, const char*, int, ...))
int openat(int dir, const char* path, int flags, ...) {
  rt_hit(RT_IO, "openat");
  va_list ap;
  va_start(ap, flags);
  const int mode = va_arg(ap, int);
  va_end(ap);
  return rt_next_openat()(dir, path, flags, mode);
}

#ifdef __cplusplus
}
#endif

#endif /* _WIN32 */

#endif
