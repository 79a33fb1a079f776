/* rt_guard_api.c: rt_guard.h for a host written in C++ (the VST3 host): the interposed functions
   live in this C file, and the host calls these to bracket its process() calls. */
#include "rt_guard.h"

void rtg_enter(void) { rt_enter(); }
void rtg_leave(void) { rt_leave(); }
unsigned rtg_total(void) { return rt_total(); }
void rtg_reset(void) { rt_reset(); }
void rtg_report(const char* name) { rt_report(name); }
