/*
 * jvm_loader.h: the one Java VM of the process, found, loaded and started (or adopted) for every
 * Pianola instance. Reference note section 2: libjvm is dlopen()ed, never linked; a VM already in
 * the process is adopted (a process can hold only one, and a second libjvm kills it); a new one
 * is created on a dedicated 16 MiB-stack thread with -Xrs, the "abort"/"exit" hooks and the
 * host's locale saved and restored; it is never destroyed.
 *
 * Where the JRE comes from, first match wins:
 *   1. $PIANOLA_JAVA_HOME, else the first line of <bundle>/java-home: a configured path. When one is
 *      configured, nothing else is tried (a wrong setting is reported, not silently replaced);
 *   2. <bundle>/runtime (a jlink image shipped in the bundle);
 *   3. $JAVA_HOME;
 *   4. the system default: realpath(/usr/bin/java)/../.. (macOS: /usr/libexec/java_home -v 17+).
 * A JRE is a folder with lib/server/libjvm.so (macOS: libjvm.dylib, also inside a .jdk bundle's
 * Contents/Home).
 * Class path: <bundle>/pianola.jar, whose manifest Class-Path names the jars in <bundle>/lib/
 * (-Djava.class.path takes no wildcards). $PIANOLA_JVM_OPTIONS adds options (split on blanks).
 *
 * NOT real time: everything here blocks (file system, dlopen, VM start: 50 ms to seconds). Call it
 * from a thread of ours, never from run().
 */
#ifndef PIANOLA_JVM_LOADER_H
#define PIANOLA_JVM_LOADER_H

#include <jni.h>
#include <stddef.h>

/* The values of the plug-in's status port this can end in. */
enum { PN_JVM_OK = 0, PN_JVM_UNAVAILABLE = 2, PN_JVM_ERROR = 3 };

/* Gets the process's VM: adopts one, creates one, or returns the one made earlier. Thread-safe.
   Returns PN_JVM_OK with *vm set, or PN_JVM_UNAVAILABLE (no JRE found) / PN_JVM_ERROR (found but
   it would not start; a failed start is final for the process: a half-made VM cannot be retried)
   with a one-line reason in err. `note` gets a line on what happened (loaded/adopted, time). */
int pn_jvm_acquire(const char* bundle_path, JavaVM** vm, char* err, size_t err_len, char* note, size_t note_len);

#endif
