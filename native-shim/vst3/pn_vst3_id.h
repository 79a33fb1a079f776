/* pn_vst3_id.h: Pianola's VST3 class id, as the four 32-bit words of INLINE_UID (fixed forever:
   hosts save projects and presets by it). pianola_vst3.cpp and gen_vstpresets.c read it here. */
#ifndef PIANOLA_PN_VST3_ID_H
#define PIANOLA_PN_VST3_ID_H

#define PN_VST3_CID_1 0x5049414Eu
#define PN_VST3_CID_2 0x4F4C4131u
#define PN_VST3_CID_3 0x9E3A7C21u
#define PN_VST3_CID_4 0x4B7D0F10u

#endif
