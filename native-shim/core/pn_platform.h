/*
 * pn_platform.h: the few things the core needs from the operating system that differ between
 * POSIX (Linux, macOS) and Windows: loading a library and finding its symbols, aligned memory, a
 * file's existence, an absolute path. Threads, clocks and sleeps are POSIX everywhere (Windows:
 * mingw-w64's winpthreads). Not real time (the aligned frees run at destroy only).
 */
#ifndef PIANOLA_PN_PLATFORM_H
#define PIANOLA_PN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN /* no winsock: its send() would clash with ours */
#endif
#include <io.h>
#include <windows.h>

/* a library for the life of the process (the JVM's threads run its code) */
static inline void* pn_lib_load(const char* path) {
  HMODULE m = LoadLibraryA(path);
  if (m) {
    HMODULE pinned;
    GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_PIN, path, &pinned);
  }
  return (void*)m;
}
/* the library if the process already has it (NULL otherwise): never loads it */
static inline void* pn_lib_loaded(const char* name) { return (void*)GetModuleHandleA(name); }
static inline void* pn_lib_symbol(void* lib, const char* name) { return (void*)GetProcAddress((HMODULE)lib, name); }
static inline const char* pn_lib_error(char* buf, size_t len) {
  snprintf(buf, len, "Windows error %lu", (unsigned long)GetLastError());
  return buf;
}
static inline void* pn_aligned_alloc(size_t align, size_t bytes) { return _aligned_malloc(bytes, align); }
static inline void pn_aligned_free(void* p) { _aligned_free(p); }
static inline bool pn_is_file(const char* path) { return _access(path, 4) == 0; }
static inline bool pn_realpath(const char* path, char* out, size_t len) { return _fullpath(out, path, len) != NULL; }
#define PN_PATH_MAX MAX_PATH
#else
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

static inline void* pn_lib_load(const char* path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE); }
static inline void* pn_lib_loaded(const char* name) { return dlopen(name, RTLD_NOW | RTLD_NOLOAD); }
static inline void* pn_lib_symbol(void* lib, const char* name) { return dlsym(lib, name); }
static inline const char* pn_lib_error(char* buf, size_t len) {
  const char* e = dlerror();
  snprintf(buf, len, "%s", e ? e : "unknown error");
  return buf;
}
static inline void* pn_aligned_alloc(size_t align, size_t bytes) { return aligned_alloc(align, bytes); }
static inline void pn_aligned_free(void* p) { free(p); }
static inline bool pn_is_file(const char* path) { return access(path, R_OK) == 0; }
/* declared here too: a file that includes this without _GNU_SOURCE (-std=c11) still sees it */
extern char* realpath(const char* __restrict path, char* __restrict resolved);
static inline bool pn_realpath(const char* path, char* out, size_t len) {
  (void)len; /* out is PATH_MAX long, as realpath wants */
  return realpath(path, out) != NULL;
}
#define PN_PATH_MAX PATH_MAX
#endif

#endif
