/* jvm_loader.c: see jvm_loader.h. Not real time: called from the instance's starter thread only. */
#define _GNU_SOURCE
#include "jvm_loader.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pn_platform.h"

typedef jint(JNICALL* CreateVmFn)(JavaVM**, void**, void*);
typedef jint(JNICALL* CreatedVmsFn)(JavaVM**, jsize, jsize*);

#define MAX_USER_OPTIONS 32
#define CREATE_STACK_BYTES (16u * 1024u * 1024u)

/* Process-wide: one VM for every instance of every copy of the shim (the library is nodelete). */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static JavaVM* g_vm;
static bool g_failed;       /* a creation was attempted and failed: final */
static char g_failure[512]; /* its reason, repeated to every later instance */

static void say(char* buf, size_t len, const char* fmt, ...) {
  if (!buf || len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool is_file(const char* path) { return pn_is_file(path); }

/* The JVM library's name, and where a Java home keeps it. macOS: libjvm.dylib, and a JDK installed
   as a bundle (Foo.jdk) has its home in Contents/Home; Windows: bin/server/jvm.dll. */
#if defined(_WIN32)
#define PN_LIBJVM "jvm.dll"
#define PN_LIBJVM_DIR "/bin/server/"
#elif defined(__APPLE__)
#define PN_LIBJVM "libjvm.dylib"
#define PN_LIBJVM_DIR "/lib/server/"
#else
#define PN_LIBJVM "libjvm.so"
#define PN_LIBJVM_DIR "/lib/server/"
#endif

/* home + PN_LIBJVM_DIR PN_LIBJVM when that exists (macOS: or home/Contents/Home/...). */
static bool libjvm_in(const char* home, char* out, size_t len) {
  if (!home || !*home) return false;
  int n = snprintf(out, len, "%s" PN_LIBJVM_DIR PN_LIBJVM, home);
  if (n > 0 && (size_t)n < len && is_file(out)) return true; /* a truncated path names nothing */
#ifdef __APPLE__
  n = snprintf(out, len, "%s/Contents/Home/lib/server/" PN_LIBJVM, home);
  if (n > 0 && (size_t)n < len && is_file(out)) return true;
#endif
  return false;
}

/* The system's default Java home: macOS asks /usr/libexec/java_home (Java 17 or newer); Windows has
   none we rely on (JAVA_HOME, the bundle's runtime or its java-home file name one); elsewhere
   realpath(/usr/bin/java)/../.. */
static bool system_java_home(char* out, size_t len) {
#if defined(_WIN32)
  (void)out;
  (void)len;
  return false;
#elif defined(__APPLE__)
  FILE* p = popen("/usr/libexec/java_home -v 17+ 2>/dev/null", "r");
  if (!p) return false;
  const bool got = fgets(out, (int)len, p) != NULL;
  pclose(p);
  if (!got) return false;
  out[strcspn(out, "\r\n")] = '\0';
  return *out != '\0';
#else
  char java[PN_PATH_MAX];
  if (!pn_realpath("/usr/bin/java", java, sizeof java)) return false;
  /* .../bin/java -> ... */
  for (int up = 0; up < 2; up++) {
    char* slash = strrchr(java, '/');
    if (slash) *slash = '\0';
  }
  snprintf(out, len, "%s", java);
  return true;
#endif
}

/* The first line of <bundle>/java-home, trimmed; false when there is no such file or it is empty. */
static bool configured_in_bundle(const char* bundle, char* out, size_t len) {
  char path[PN_PATH_MAX];
  const int n = snprintf(path, sizeof path, "%s/java-home", bundle);
  if (n < 0 || (size_t)n >= sizeof path) return false;
  FILE* f = fopen(path, "r");
  if (!f) return false;
  const bool got = fgets(out, (int)len, f) != NULL;
  fclose(f);
  if (!got) return false;
  out[strcspn(out, "\r\n")] = '\0';
  while (*out && out[strlen(out) - 1] == ' ') out[strlen(out) - 1] = '\0';
  return *out != '\0';
}

/* Finds libjvm.so in the documented order. PN_JVM_OK, or PN_JVM_UNAVAILABLE with the reason. */
static int find_libjvm(const char* bundle, char* libjvm, size_t len, char* err, size_t err_len) {
  const char* env = getenv("PIANOLA_JAVA_HOME");
  char configured[PN_PATH_MAX];
  if (env && *env) {
    if (libjvm_in(env, libjvm, len)) return PN_JVM_OK;
    say(err, err_len, "no Java runtime: PIANOLA_JAVA_HOME=%s has no " PN_LIBJVM_DIR PN_LIBJVM, env);
    return PN_JVM_UNAVAILABLE;
  }
  if (configured_in_bundle(bundle, configured, sizeof configured)) {
    if (libjvm_in(configured, libjvm, len)) return PN_JVM_OK;
    say(err, err_len, "no Java runtime: %s/java-home names %s, which has no " PN_LIBJVM_DIR PN_LIBJVM, bundle, configured);
    return PN_JVM_UNAVAILABLE;
  }
  char bundled[PN_PATH_MAX];
  const int n = snprintf(bundled, sizeof bundled, "%s/runtime", bundle);
  if (n > 0 && (size_t)n < sizeof bundled && libjvm_in(bundled, libjvm, len)) return PN_JVM_OK;
  if (libjvm_in(getenv("JAVA_HOME"), libjvm, len)) return PN_JVM_OK;
  char java[PN_PATH_MAX];
  if (system_java_home(java, sizeof java) && libjvm_in(java, libjvm, len)) return PN_JVM_OK;
#ifdef __APPLE__
  say(err, err_len, "no Java runtime found (tried %s/runtime, JAVA_HOME, /usr/libexec/java_home); install Java 17+ or set PIANOLA_JAVA_HOME",
      bundle);
#else
  say(err, err_len, "no Java runtime found (tried %s/runtime, JAVA_HOME, /usr/bin/java); install Java 17+ or set PIANOLA_JAVA_HOME",
      bundle);
#endif
  return PN_JVM_UNAVAILABLE;
}

/* --- creation on a thread of our own: the hooks end that thread instead of the host process --- */

typedef struct {
  CreateVmFn create;
  JavaVMInitArgs args;
  JavaVM* vm;
  jint rc;
  jint exit_code;
} CreateJob;

static CreateJob* g_job; /* the job the hooks report into (creation is serialised by g_lock) */

/* The VM calls these instead of exit()/abort() when it cannot start; leaving the thread keeps the
   host alive (reference 2.3: -Xmx1k killed the host without them). */
static void JNICALL on_vm_exit(jint code) {
  if (g_job) g_job->exit_code = code;
  pthread_exit(NULL);
}
static void JNICALL on_vm_abort(void) { pthread_exit(NULL); }

static void* create_thread(void* arg) {
  CreateJob* job = (CreateJob*)arg;
  JNIEnv* env = NULL;
  job->rc = job->create(&job->vm, (void**)&env, &job->args);
  /* this thread ends here: the VM must not keep it as an attached Java thread */
  if (job->rc == JNI_OK) (*job->vm)->DetachCurrentThread(job->vm);
  return NULL;
}

/* Splits PIANOLA_JVM_OPTIONS on blanks into `opts` (pointers into `storage`). */
static int user_options(char* storage, size_t len, char** opts, int max) {
  const char* env = getenv("PIANOLA_JVM_OPTIONS");
  if (!env) return 0;
  snprintf(storage, len, "%s", env);
  int n = 0;
  char* save = NULL;
  for (char* tok = strtok_r(storage, " \t", &save); tok && n < max; tok = strtok_r(NULL, " \t", &save)) opts[n++] = tok;
  return n;
}

static int create_vm(void* lib, const char* libjvm, const char* bundle, char* err, size_t err_len) {
  CreateVmFn create = (CreateVmFn)pn_lib_symbol(lib, "JNI_CreateJavaVM");
  if (!create) {
    say(err, err_len, "%s has no JNI_CreateJavaVM", libjvm);
    return PN_JVM_ERROR;
  }
  char class_path[PN_PATH_MAX + 32], bundle_prop[PN_PATH_MAX + 32], user[2048];
  snprintf(class_path, sizeof class_path, "-Djava.class.path=%s/pianola.jar", bundle);
  snprintf(bundle_prop, sizeof bundle_prop, "-Dpianola.bundle=%s", bundle);
  char* extra[MAX_USER_OPTIONS];
  const int n_extra = user_options(user, sizeof user, extra, MAX_USER_OPTIONS);

  JavaVMOption options[8 + MAX_USER_OPTIONS];
  int n = 0;
  options[n++] = (JavaVMOption){.optionString = class_path};
  options[n++] = (JavaVMOption){.optionString = bundle_prop};
  /* -Xrs: the host keeps its SIGINT/SIGTERM/SIGHUP handlers (reference 2.3) */
  options[n++] = (JavaVMOption){.optionString = "-Xrs"};
  options[n++] = (JavaVMOption){.optionString = "-Djava.awt.headless=true"};
  /* a bar of horizon makes GC pauses harmless; the cap keeps a DAW's memory predictable */
  options[n++] = (JavaVMOption){.optionString = "-Xmx1g"};
  for (int i = 0; i < n_extra; i++) options[n++] = (JavaVMOption){.optionString = extra[i]};
  options[n++] = (JavaVMOption){.optionString = "exit", .extraInfo = (void*)on_vm_exit};
  options[n++] = (JavaVMOption){.optionString = "abort", .extraInfo = (void*)on_vm_abort};

  CreateJob job = {.create = create, .rc = -999, .exit_code = -1};
  job.args = (JavaVMInitArgs){.version = JNI_VERSION_10, .nOptions = n, .options = options, .ignoreUnrecognized = JNI_FALSE};

  /* the VM sets the process locale from the environment; the host's (e.g. "C" for printf of
     numbers) is put back */
  const char* current = setlocale(LC_ALL, NULL);
  char* saved_locale = current ? strdup(current) : NULL;

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, CREATE_STACK_BYTES);
  pthread_t thread;
  g_job = &job;
  const int started = pthread_create(&thread, &attr, create_thread, &job);
  pthread_attr_destroy(&attr);
  if (started == 0) pthread_join(thread, NULL);
  g_job = NULL;

  if (saved_locale) {
    setlocale(LC_ALL, saved_locale);
    free(saved_locale);
  }
  if (started != 0) {
    say(err, err_len, "cannot start the JVM creation thread (%s)", strerror(started));
    return PN_JVM_ERROR;
  }
  if (job.rc != JNI_OK || !job.vm) {
    if (job.rc == -999)
      say(err, err_len, "the JVM (%s) refused to start (exit code %d; its message is above; check PIANOLA_JVM_OPTIONS)", libjvm,
          (int)job.exit_code);
    else
      say(err, err_len, "the JVM (%s) did not start: JNI_CreateJavaVM returned %d (check PIANOLA_JVM_OPTIONS)", libjvm, (int)job.rc);
    return PN_JVM_ERROR;
  }
  g_vm = job.vm;
  return PN_JVM_OK;
}

int pn_jvm_acquire(const char* bundle_path, JavaVM** vm, char* err, size_t err_len, char* note, size_t note_len) {
  say(note, note_len, "%s", "");
  pthread_mutex_lock(&g_lock);
  int result = PN_JVM_OK;
  if (g_vm) {
    *vm = g_vm;
    /* joined the VM an earlier instance started: nothing worth a log line */
    goto done;
  }
  if (g_failed) {
    say(err, err_len, "%s", g_failure);
    result = PN_JVM_ERROR;
    goto done;
  }
  const double t0 = now_ms();
  /* a libjvm already in the process (another plug-in, another copy of this one): adopt its VM;
     loading a second libjvm would kill the process */
  void* lib = pn_lib_loaded(PN_LIBJVM);
  char libjvm[PN_PATH_MAX] = PN_LIBJVM " (already loaded)";
  if (lib) {
    CreatedVmsFn created = (CreatedVmsFn)pn_lib_symbol(lib, "JNI_GetCreatedJavaVMs");
    JavaVM* found = NULL;
    jsize count = 0;
    if (created && created(&found, 1, &count) == JNI_OK && count > 0 && found) {
      g_vm = found;
      *vm = found;
      say(note, note_len, "adopted the JVM already in the process");
      goto done;
    }
  } else {
    result = find_libjvm(bundle_path, libjvm, sizeof libjvm, err, err_len);
    if (result != PN_JVM_OK) goto done; /* nothing loaded: a later instance may try again */
    /* NODELETE: the VM's threads run its code for the life of the process */
    lib = pn_lib_load(libjvm);
    if (!lib) {
      char why[512];
      say(err, err_len, "cannot load %s: %s", libjvm, pn_lib_error(why, sizeof why));
      result = PN_JVM_ERROR;
      g_failed = true;
      say(g_failure, sizeof g_failure, "%s", err);
      goto done;
    }
  }
  result = create_vm(lib, libjvm, bundle_path, err, err_len);
  if (result != PN_JVM_OK) {
    g_failed = true;
    say(g_failure, sizeof g_failure, "%s", err);
    goto done;
  }
  *vm = g_vm;
  say(note, note_len, "started the JVM from %s in %.0f ms", libjvm, now_ms() - t0);
done:
  pthread_mutex_unlock(&g_lock);
  return result;
}
