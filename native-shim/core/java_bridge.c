/* java_bridge.c: see java_bridge.h. Not real time: starter thread and cleanup only. */
#define _GNU_SOURCE
#include "java_bridge.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jvm_loader.h"

#define BRIDGE_CLASS "dev/pianola/plugin/Bridge"
#define OPEN_SIG "(Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;DLjava/lang/String;)J"

/* Cached for the process (the VM and its system class loader never change). */
static pthread_mutex_t g_bridge_lock = PTHREAD_MUTEX_INITIALIZER;
static jclass g_bridge;
static jmethodID g_open, g_close;

void pn_control_init(PnControl* c) {
  memset(c, 0, sizeof *c);
  c->magic = PN_CONTROL_MAGIC;
  c->version = 1;
  atomic_init(&c->processed, -1);
  atomic_init(&c->java_status, 0);
  atomic_thread_fence(memory_order_release);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void line(PnJava* j, bool error, const char* fmt, const char* a, const char* b) {
  char buf[1200];
  snprintf(buf, sizeof buf, fmt, a, b);
  if (j->log) j->log(j->log_ctx, error, buf);
}

/* Attaches the calling thread as a daemon (so the VM never waits for it). *attached says whether
   this call did it (then the caller detaches). */
static JNIEnv* attach(JavaVM* vm, const char* name, bool* attached) {
  JNIEnv* env = NULL;
  *attached = false;
  if ((*vm)->GetEnv(vm, (void**)&env, JNI_VERSION_10) == JNI_OK) return env;
  JavaVMAttachArgs args = {.version = JNI_VERSION_10, .name = (char*)name, .group = NULL};
  if ((*vm)->AttachCurrentThreadAsDaemon(vm, (void**)&env, &args) != JNI_OK) return NULL;
  *attached = true;
  return env;
}

/* The pending exception as one line, then cleared. */
static void describe(JNIEnv* env, char* out, size_t len) {
  jthrowable t = (*env)->ExceptionOccurred(env);
  (*env)->ExceptionClear(env);
  snprintf(out, len, "unknown Java error");
  if (!t) return;
  jclass object = (*env)->FindClass(env, "java/lang/Object");
  jmethodID to_string = object ? (*env)->GetMethodID(env, object, "toString", "()Ljava/lang/String;") : NULL;
  jstring s = to_string ? (jstring)(*env)->CallObjectMethod(env, t, to_string) : NULL;
  if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
  if (s) {
    const char* chars = (*env)->GetStringUTFChars(env, s, NULL);
    if (chars) {
      snprintf(out, len, "%s", chars);
      (*env)->ReleaseStringUTFChars(env, s, chars);
    }
  }
}

static bool bridge_methods(JNIEnv* env, char* err, size_t len) {
  pthread_mutex_lock(&g_bridge_lock);
  bool ok = g_bridge != NULL;
  if (!ok) {
    /* an attached native thread finds classes through the system class loader: pianola.jar */
    jclass local = (*env)->FindClass(env, BRIDGE_CLASS);
    if (!local) {
      char why[600];
      describe(env, why, sizeof why);
      snprintf(err, len, "Pianola's Java classes are missing (pianola.jar or lib/ in the bundle?): %s", why);
    } else {
      g_open = (*env)->GetStaticMethodID(env, local, "open", OPEN_SIG);
      g_close = g_open ? (*env)->GetStaticMethodID(env, local, "close", "(J)Z") : NULL;
      if (!g_open || !g_close) {
        char why[600];
        describe(env, why, sizeof why);
        snprintf(err, len, "Pianola's Java Bridge does not match this shim: %s", why);
      } else {
        g_bridge = (jclass)(*env)->NewGlobalRef(env, local);
        ok = g_bridge != NULL;
      }
      (*env)->DeleteLocalRef(env, local);
    }
  }
  pthread_mutex_unlock(&g_bridge_lock);
  return ok;
}

static void* starter(void* arg) {
  PnJava* j = (PnJava*)arg;
  const double t0 = now_ms();
  JavaVM* vm = NULL;
  char err[1024] = "", note[1024] = "";
  const int got = pn_jvm_acquire(j->bundle, &vm, err, sizeof err, note, sizeof note);
  if (got != PN_JVM_OK) {
    line(j, true, "pianola: %s%s", err, got == PN_JVM_UNAVAILABLE ? " (MIDI thru only)" : " (MIDI thru only; status 3)");
    atomic_store(&j->status, got);
    return NULL;
  }
  if (note[0]) line(j, false, "pianola: %s%s", note, "");
  bool attached;
  JNIEnv* env = attach(vm, "pianola-start", &attached);
  if (!env) {
    line(j, true, "pianola: cannot attach to the JVM%s%s", "", "");
    atomic_store(&j->status, PN_JVM_ERROR);
    return NULL;
  }
  int status = PN_JVM_ERROR;
  if (!bridge_methods(env, err, sizeof err)) {
    line(j, true, "pianola: %s%s", err, "");
  } else {
    jobject in = (*env)->NewDirectByteBuffer(env, j->in_ring, (jlong)pn_ring_bytes(j->in_ring->capacity, j->in_ring->record_size));
    jobject out = (*env)->NewDirectByteBuffer(env, j->out_ring, (jlong)pn_ring_bytes(j->out_ring->capacity, j->out_ring->record_size));
    jobject audio = (*env)->NewDirectByteBuffer(env, j->audio_ring, (jlong)pn_ring_bytes(j->audio_ring->capacity, j->audio_ring->record_size));
    jobject control = (*env)->NewDirectByteBuffer(env, j->control, (jlong)sizeof(PnControl));
    jstring bundle = (*env)->NewStringUTF(env, j->bundle);
    jlong handle = 0;
    if (in && out && audio && control && bundle)
      handle = (*env)->CallStaticLongMethod(env, g_bridge, g_open, in, out, audio, control, (jdouble)j->rate, bundle);
    if ((*env)->ExceptionCheck(env)) {
      /* Bridge catches everything; this is an Error thrown past it (e.g. out of memory) */
      describe(env, err, sizeof err);
      line(j, true, "pianola: Java failed to open the instance: %s%s", err, "");
    } else if (handle > 0) {
      j->handle = handle;
      status = PN_JVM_OK;
    } /* handle 0: Bridge logged why */
    (*env)->DeleteLocalRef(env, in);
    (*env)->DeleteLocalRef(env, out);
    (*env)->DeleteLocalRef(env, audio);
    (*env)->DeleteLocalRef(env, control);
    (*env)->DeleteLocalRef(env, bundle);
  }
  if (attached) (*vm)->DetachCurrentThread(vm);
  j->start_ms = now_ms() - t0;
  /* release: run() may use the Java side once it reads 0 */
  atomic_store_explicit(&j->status, status, memory_order_release);
  return NULL;
}

bool pn_java_start(PnJava* j) {
  atomic_store(&j->status, 1);
  j->handle = 0;
  if (pthread_create(&j->starter, NULL, starter, j) != 0) {
    atomic_store(&j->status, PN_JVM_ERROR);
    line(j, true, "pianola: cannot start the Java starter thread%s%s", "", "");
    return false;
  }
  j->starter_running = true;
  return true;
}

bool pn_java_stop(PnJava* j) {
  if (j->starter_running) pthread_join(j->starter, NULL);
  j->starter_running = false;
  if (j->handle <= 0) return true; /* Java never saw the memory */
  JavaVM* vm = NULL;
  char err[512], note[256];
  if (pn_jvm_acquire(j->bundle, &vm, err, sizeof err, note, sizeof note) != PN_JVM_OK) return false;
  bool attached;
  JNIEnv* env = attach(vm, "pianola-cleanup", &attached);
  if (!env) return false;
  const jboolean stopped = (*env)->CallStaticBooleanMethod(env, g_bridge, g_close, (jlong)j->handle);
  bool ok = stopped == JNI_TRUE;
  if ((*env)->ExceptionCheck(env)) {
    describe(env, err, sizeof err);
    line(j, true, "pianola: Java failed to close the instance: %s%s", err, "");
    ok = false;
  }
  if (attached) (*vm)->DetachCurrentThread(vm);
  j->handle = 0;
  return ok;
}
