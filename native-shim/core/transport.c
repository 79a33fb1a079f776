/* transport.c: see transport.h. Real time: arithmetic only; nothing allocates, locks or blocks. */
#include "transport.h"

#include <math.h>
#include <string.h>


void pn_transport_init(PnTransport* t, double rate) {
  memset(t, 0, sizeof *t);
  t->rate = rate;
}

static double frames_per_beat(double rate, double bpm, double speed) {
  return (bpm > 0.0 && speed > 0.0) ? 60.0 * rate / (bpm * speed) : 0.0;
}

double pn_transport_beat(const PnTransport* t, int64_t offset) {
  if (t->frames_per_beat <= 0.0) return t->anchor_beat;
  /* one division from the anchor: exact whenever the true value is representable */
  return t->anchor_beat + (double)(t->elapsed + offset) / t->frames_per_beat;
}

bool pn_transport_frames_until(const PnTransport* t, double beat, int64_t* offset) {
  if (!pn_transport_rolling(t)) return false;
  const double since_anchor = (beat - t->anchor_beat) * t->frames_per_beat;
  if (!(fabs(since_anchor) < 9.0e18)) return false;
  *offset = (int64_t)ceil(since_anchor - 1e-4) - t->elapsed;
  return true;
}

/* A host's absurd or non-finite values (1e300 BPM, a NaN beat, a negative meter) are dropped, field
   by field, as if the host had not sent them: the transport keeps what it knew, and the next sane
   position is taken as usual. */
static PnPosition sane(const PnPosition* in) {
  PnPosition p = *in;
  if (p.has_speed && !(isfinite(p.speed) && fabs(p.speed) <= PN_MAX_SPEED)) p.has_speed = false;
  if (p.has_bpm && !(isfinite(p.bpm) && p.bpm >= PN_MIN_BPM && p.bpm <= PN_MAX_BPM)) p.has_bpm = false;
  if (p.has_beats_per_bar && !(isfinite(p.beats_per_bar) && p.beats_per_bar > 0.0 && p.beats_per_bar <= PN_MAX_BEATS_PER_BAR))
    p.has_beats_per_bar = false;
  if (p.has_beat_unit && !(p.beat_unit > 0 && p.beat_unit <= 256)) p.has_beat_unit = false;
  if (p.has_beat && !(isfinite(p.beat) && fabs(p.beat) <= PN_MAX_ABS_BEAT)) p.has_beat = false;
  if (p.has_bar_beat && !(isfinite(p.bar_beat) && fabs(p.bar_beat) <= PN_MAX_ABS_BEAT)) p.has_bar_beat = false;
  if (p.has_bar && !(p.bar >= -(int64_t)PN_MAX_ABS_BEAT && p.bar <= (int64_t)PN_MAX_ABS_BEAT)) p.has_bar = false;
  return p;
}

unsigned pn_transport_apply(PnTransport* t, const PnPosition* position) {
  const PnPosition sane_position = sane(position);
  const PnPosition* p = &sane_position;
  /* a host that never sends speed is taken as rolling once it sends a position */
  const double speed = p->has_speed ? p->speed : (t->known ? t->speed : 1.0);
  const double bpm = p->has_bpm ? p->bpm : t->bpm;
  const double bpb = p->has_beats_per_bar ? p->beats_per_bar : t->beats_per_bar;
  const int32_t unit = p->has_beat_unit ? p->beat_unit : t->beat_unit;

  bool host_has_beat = false;
  double host_beat = 0.0;
  if (p->has_beat) {
    host_has_beat = true;
    host_beat = p->beat;
  } else if (p->has_bar && p->has_bar_beat && bpb > 0.0) {
    host_has_beat = true;
    host_beat = (double)p->bar * bpb + p->bar_beat;
  }

  /* Is this Position what we would have predicted? */
  bool frame_ok = true;
  int64_t predicted_frame = 0;
  if (t->has_frame) predicted_frame = t->anchor_frame + (int64_t)llround((double)t->elapsed * (t->speed > 0.0 ? t->speed : 0.0));
  if (p->has_frame) frame_ok = t->has_frame && p->frame == predicted_frame;
  const bool can_predict_beat = t->has_beat;
  const double predicted_beat = pn_transport_beat(t, 0);
  const bool beat_ok = host_has_beat ? (can_predict_beat && fabs(host_beat - predicted_beat) <= PN_BEAT_TOLERANCE)
                                     : true;
  const bool continuous = t->known && frame_ok && beat_ok;

  unsigned flags = 0;
  const bool was_rolling = t->known && t->speed > 0.0;
  if (speed > 0.0 && !was_rolling) flags |= PN_TRANSPORT_STARTED;
  if (!(speed > 0.0) && was_rolling) flags |= PN_TRANSPORT_STOPPED;

  if (continuous && bpm == t->bpm && bpb == t->beats_per_bar && speed == t->speed && unit == t->beat_unit)
    return flags; /* the exact anchor stays: no quantization jitter */

  flags |= PN_TRANSPORT_REANCHORED;
  t->reanchors++;
  if (!continuous) {
    flags |= PN_TRANSPORT_JUMPED;
    t->jumps++;
  }
  if (continuous && can_predict_beat) {
    t->anchor_beat = predicted_beat; /* keep our exact beat across a tempo/meter/speed change */
    t->has_beat = true;
  } else if (host_has_beat) {
    t->anchor_beat = host_beat;
    t->has_beat = true;
  } else {
    t->has_beat = false; /* a jump with no beat told: no grid until the host gives one */
    t->anchor_beat = 0.0;
  }
  if (p->has_frame) {
    t->anchor_frame = p->frame;
    t->has_frame = true;
  } else if (t->has_frame) {
    t->anchor_frame = predicted_frame;
  }
  t->elapsed = 0;
  t->known = true;
  t->speed = speed;
  t->bpm = bpm;
  t->beats_per_bar = bpb;
  t->beat_unit = unit;
  t->frames_per_beat = frames_per_beat(t->rate, bpm, speed);
  return flags;
}
