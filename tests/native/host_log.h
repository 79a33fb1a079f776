/* host_log.h: a log:log feature that prints the plug-in's lines on stderr, as hosts show them,
   for the lilv hosts that need nothing more (lv2_test_host counts its lines and has its own). */
#ifndef PIANOLA_HOST_LOG_H
#define PIANOLA_HOST_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include <lv2/log/log.h>

static int host_log_vprintf(LV2_Log_Handle h, LV2_URID type, const char* fmt, va_list ap) {
  (void)h;
  (void)type;
  return vfprintf(stderr, fmt, ap);
}

static int host_log_printf(LV2_Log_Handle h, LV2_URID type, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int r = host_log_vprintf(h, type, fmt, ap);
  va_end(ap);
  return r;
}

static LV2_Log_Log host_log = {NULL, host_log_printf, host_log_vprintf};

#endif
