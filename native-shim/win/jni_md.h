/* jni_md.h for Windows builds made on Linux (mingw-w64): the JNI's machine-dependent definitions for
   Windows, written here because the Linux JDK that builds the shim carries only Linux's. The types
   have Windows' sizes (jint 32 bits, jlong 64 bits; `long` is 32 bits there), exported functions
   use dllexport, and JNICALL is __stdcall (which x86-64 ignores). */
#ifndef PIANOLA_WIN_JNI_MD_H
#define PIANOLA_WIN_JNI_MD_H

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef int jint;
typedef long long jlong;
typedef signed char jbyte;

#endif
