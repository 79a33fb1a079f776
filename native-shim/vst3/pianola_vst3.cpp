/*
 * pianola_vst3.cpp: the VST3 front-end of the Pianola plug-in. It only translates: VST3 note
 * events and the ProcessContext into the core's host events, VST3 parameters (ParamID = our id,
 * core/pn_params.h; normalized <-> plain by the table) into the core's, kOffline into
 * FREE_WHEELING, the core's MIDI into VST3 note events (and legacy MIDI CC events) on the event
 * output, and getState/setState into the core's state bytes (core/pn_state.h).
 *
 * Why C++ on the SDK's interface headers (pluginterfaces/, MIT since VST3 3.8) rather than the C
 * API header or a CLAP wrapper: the C API header (vst3_c_api.h) is in no registry this project can
 * build from, while the pinned clap-wrapper crate carries pluginterfaces itself; the interfaces
 * are C++ abstract classes whose vtables ARE the ABI, so implementing them directly gives the
 * compiler's check of every signature, with none of the SDK's helper classes and no JUCE. A CLAP
 * wrapper would put a second plug-in standard's semantics between the host and us.
 *
 * One object is the component, the audio processor and the edit controller (a "single component"
 * plug-in, which hosts ask for with queryInterface): the parameters have one home, the core.
 * IComponent::getState and IEditController::getState share one signature and so one
 * implementation: both write (and both setState calls read) the same state bytes.
 *
 * Transport: ProcessContext's projectTimeMusic (quarter notes) and tempo become beats of the
 * meter's beat unit (x denominator / 4); projectTimeSamples is the host's frame, so a loop or a
 * locate is seen as a jump even where the beat agrees. A block without a context leaves the core's
 * transport as it was.
 *
 * REAL TIME: process() never allocates, locks, logs or enters the JVM (the core waits for Java only
 * in kOffline mode). All memory is made in initialize().
 *
 * Bundle: Pianola.vst3/Contents/<arch>-linux/Pianola.so; the Java side (pianola.jar, lib/) lives in
 * Pianola.vst3/Contents/Resources, which is the core's bundle folder.
 */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <atomic>
#include <new>

#include "pluginterfaces/base/ibstream.h"
#include "pluginterfaces/base/ipluginbase.h"
#include "pluginterfaces/vst/ivstaudioprocessor.h"
#include "pluginterfaces/vst/ivstcomponent.h"
#include "pluginterfaces/vst/ivsteditcontroller.h"
#include "pluginterfaces/vst/ivstevents.h"
#include "pluginterfaces/vst/ivstparameterchanges.h"
#include "pluginterfaces/vst/ivstprocesscontext.h"
#include "pluginterfaces/vst/ivstunits.h"
#include "pluginterfaces/vst/vstspeaker.h"

#include "pn_core.h"
#include "pn_state.h"
#include "pn_vst3_id.h"

using namespace Steinberg;
using namespace Steinberg::Vst;

#include "pn_vst3_iids.h"

namespace {

/* Pianola's class id (fixed forever: hosts save projects by it) */
const TUID kPianolaCid = INLINE_UID(PN_VST3_CID_1, PN_VST3_CID_2, PN_VST3_CID_3, PN_VST3_CID_4);
constexpr uint32 kMaxEvents = 1024;

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
char g_bundle[PATH_MAX] = ".";

/* VST3 gives plug-ins no host log: stderr, which hosts keep in their own log */
void log_line(void* ctx, bool error, const char* line) {
  (void)ctx;
  (void)error;
  fprintf(stderr, "%s\n", line);
}

void copy_utf16(String128 out, const char* in) {
  size_t i = 0;
  for (; in[i] && i < 127; i++) out[i] = (char16)(unsigned char)in[i];
  out[i] = 0;
}

/* the table's parameters VST3 shows: all but the host's render mode */
uint32 n_visible;
uint32 visible[PN_PARAM_COUNT];

void init_tables() {
  n_visible = 0;
  for (unsigned i = 0; i < PN_PARAM_COUNT; i++)
    if (!(pn_params[i].flags & PN_PARAM_HOST)) visible[n_visible++] = i;
}

bool is_param(ParamID id) { return id < PN_PARAM_COUNT && !(pn_params[id].flags & PN_PARAM_HOST); }

bool iid_equal(const TUID a, const TUID b) { return memcmp(a, b, sizeof(TUID)) == 0; }
bool iid_equal(const TUID a, const FUID& b) { return memcmp(a, b.toTUID(), sizeof(TUID)) == 0; }

class Pianola final : public IComponent, public IAudioProcessor, public IEditController, public IProcessContextRequirements {
 public:
  Pianola() = default;
  Pianola(const Pianola&) = delete;
  Pianola& operator=(const Pianola&) = delete;

  /* ---- FUnknown ---- */
  tresult PLUGIN_API queryInterface(const TUID iid, void** obj) override {
    if (iid_equal(iid, FUnknown::iid) || iid_equal(iid, IPluginBase::iid) || iid_equal(iid, IComponent::iid)) *obj = static_cast<IComponent*>(this);
    else if (iid_equal(iid, IAudioProcessor::iid)) *obj = static_cast<IAudioProcessor*>(this);
    else if (iid_equal(iid, IEditController::iid)) *obj = static_cast<IEditController*>(this);
    else if (iid_equal(iid, IProcessContextRequirements::iid)) *obj = static_cast<IProcessContextRequirements*>(this);
    else {
      *obj = nullptr;
      return kNoInterface;
    }
    addRef();
    return kResultOk;
  }
  uint32 PLUGIN_API addRef() override { return ++refs_; }
  uint32 PLUGIN_API release() override {
    const uint32 left = --refs_;
    if (left == 0) delete this;
    return left;
  }

  /* ---- IPluginBase (the component's and the controller's: one object, one start) ---- */
  tresult PLUGIN_API initialize(FUnknown* context) override {
    (void)context;
    if (core_) return kResultOk;
    core_ = pn_core_create(g_bundle, log_line, this);
    return core_ ? kResultOk : kOutOfMemory;
  }
  tresult PLUGIN_API terminate() override {
    pn_core_destroy(core_);
    core_ = nullptr;
    if (handler_) handler_->release();
    handler_ = nullptr;
    return kResultOk;
  }

  /* ---- IComponent ---- */
  tresult PLUGIN_API getControllerClassId(TUID cid) override {
    memset(cid, 0, sizeof(TUID));
    return kResultFalse; /* the component is its own controller */
  }
  tresult PLUGIN_API setIoMode(IoMode mode) override {
    (void)mode;
    return kResultOk;
  }
  int32 PLUGIN_API getBusCount(MediaType type, BusDirection dir) override {
    (void)dir;
    return type == kAudio || type == kEvent ? 1 : 0;
  }
  tresult PLUGIN_API getBusInfo(MediaType type, BusDirection dir, int32 index, BusInfo& bus) override {
    if (index != 0 || (type != kAudio && type != kEvent)) return kInvalidArgument;
    bus.mediaType = type;
    bus.direction = dir;
    bus.busType = kMain;
    bus.flags = BusInfo::kDefaultActive;
    if (type == kAudio) {
      bus.channelCount = dir == kInput ? channels_in_ : channels_out_;
      copy_utf16(bus.name, dir == kInput ? "Audio In" : "Audio Out");
    } else {
      bus.channelCount = 16;
      copy_utf16(bus.name, dir == kInput ? "Notes In" : "Piano Out");
    }
    return kResultOk;
  }
  tresult PLUGIN_API getRoutingInfo(RoutingInfo& in, RoutingInfo& out) override {
    (void)in;
    (void)out;
    return kNotImplemented;
  }
  tresult PLUGIN_API activateBus(MediaType type, BusDirection dir, int32 index, TBool state) override {
    (void)type;
    (void)dir;
    (void)state;
    return index == 0 ? kResultOk : kInvalidArgument;
  }
  tresult PLUGIN_API setActive(TBool state) override {
    if (!core_) return kNotInitialized;
    if (state) {
      pn_core_start(core_, rate_); /* Java starts (first time) on a thread of its own */
      pn_core_reset(core_);
    }
    return kResultOk;
  }
  /* both IComponent's and IEditController's (see the file comment) */
  tresult PLUGIN_API setState(IBStream* stream) override {
    if (!core_ || !stream) return kInvalidArgument;
    uint8 head[PN_STATE_HEADER_BYTES];
    char err[200] = "the saved state is cut short";
    size_t len = 0;
    uint8* buf = nullptr;
    bool ok = read_all(stream, head, sizeof head) && (len = pn_state_length(head, err, sizeof err)) > 0 && (buf = (uint8*)malloc(len)) != nullptr;
    if (ok) {
      memcpy(buf, head, sizeof head);
      ok = read_all(stream, buf + sizeof head, (int32)(len - sizeof head)) && pn_state_load(core_, buf, len, err, sizeof err);
    }
    free(buf);
    if (!ok) fprintf(stderr, "pianola: %s; controls left as they were\n", err);
    return ok ? kResultOk : kResultFalse;
  }
  tresult PLUGIN_API getState(IBStream* stream) override {
    if (!core_ || !stream) return kInvalidArgument;
    uint8 buf[PN_STATE_SAVE_MAX_BYTES];
    const size_t len = pn_state_save(core_, buf, sizeof buf);
    int32 written = 0;
    return len > 0 && stream->write(buf, (int32)len, &written) == kResultOk && written == (int32)len ? kResultOk : kResultFalse;
  }

  /* ---- IAudioProcessor ---- */
  tresult PLUGIN_API setBusArrangements(SpeakerArrangement* inputs, int32 n_in, SpeakerArrangement* outputs, int32 n_out) override {
    if (n_in != 1 || n_out != 1) return kResultFalse;
    const int32 in = channels_of(inputs[0]), out = channels_of(outputs[0]);
    if (!in || !out) return kResultFalse;
    channels_in_ = in;
    channels_out_ = out;
    return kResultTrue;
  }
  tresult PLUGIN_API getBusArrangement(BusDirection dir, int32 index, SpeakerArrangement& arr) override {
    if (index != 0) return kInvalidArgument;
    arr = (dir == kInput ? channels_in_ : channels_out_) == 1 ? SpeakerArr::kMono : SpeakerArr::kStereo;
    return kResultOk;
  }
  tresult PLUGIN_API canProcessSampleSize(int32 size) override { return size == kSample32 ? kResultTrue : kResultFalse; }
  uint32 PLUGIN_API getLatencySamples() override { return 0; /* audio passes undelayed; answers are placed by beat */ }
  tresult PLUGIN_API setupProcessing(ProcessSetup& setup) override {
    if (!(setup.sampleRate >= 1000.0 && setup.sampleRate <= 1536000.0) || setup.symbolicSampleSize != kSample32) return kResultFalse;
    rate_ = setup.sampleRate;
    if (core_) pn_core_set_param(core_, PN_PARAM_FREE_WHEELING, setup.processMode == kOffline ? 1.0 : 0.0);
    return kResultOk;
  }
  tresult PLUGIN_API setProcessing(TBool state) override {
    (void)state;
    return kResultOk;
  }
  tresult PLUGIN_API process(ProcessData& data) override;
  uint32 PLUGIN_API getTailSamples() override { return kInfiniteTail; /* it answers after the input has stopped */ }

  /* ---- IProcessContextRequirements ---- */
  uint32 PLUGIN_API getProcessContextRequirements() override {
    return IProcessContextRequirements::kNeedProjectTimeMusic | IProcessContextRequirements::kNeedBarPositionMusic |
           IProcessContextRequirements::kNeedCycleMusic | IProcessContextRequirements::kNeedTempo |
           IProcessContextRequirements::kNeedTimeSignature | IProcessContextRequirements::kNeedTransportState;
  }

  /* ---- IEditController ---- */
  tresult PLUGIN_API setComponentState(IBStream* stream) override {
    (void)stream;
    return kResultOk; /* the same object already read it in setState */
  }
  int32 PLUGIN_API getParameterCount() override { return (int32)n_visible; }
  tresult PLUGIN_API getParameterInfo(int32 index, ParameterInfo& info) override {
    if (index < 0 || (uint32)index >= n_visible) return kInvalidArgument;
    const PnParamInfo& p = pn_params[visible[index]];
    memset(&info, 0, sizeof info);
    info.id = p.id;
    copy_utf16(info.title, p.label);
    copy_utf16(info.shortTitle, p.label);
    copy_utf16(info.units, !strcmp(p.unit, "bar") ? "bars" : !strcmp(p.unit, "beat") ? "beats" : "");
    info.stepCount = p.kind == PN_KIND_FLOAT ? 0 : (int32)(p.max - p.min);
    info.defaultNormalizedValue = pn_param_to_normalized(p.id, p.def);
    info.unitId = kRootUnitId;
    if (p.flags & PN_PARAM_OUTPUT) info.flags = ParameterInfo::kIsReadOnly;
    else info.flags = ParameterInfo::kCanAutomate | (p.kind == PN_KIND_ENUM ? ParameterInfo::kIsList : 0);
    return kResultOk;
  }
  tresult PLUGIN_API getParamStringByValue(ParamID id, ParamValue normalized, String128 out) override {
    char text[128];
    if (!is_param(id) || !pn_param_format(id, pn_param_from_normalized(id, normalized), text, sizeof text)) return kInvalidArgument;
    copy_utf16(out, text);
    return kResultOk;
  }
  tresult PLUGIN_API getParamValueByString(ParamID id, TChar* in, ParamValue& normalized) override {
    char text[128];
    size_t i = 0;
    for (; in && in[i] && i < sizeof text - 1; i++) text[i] = in[i] < 128 ? (char)in[i] : '?';
    text[i] = '\0';
    double plain;
    if (!is_param(id) || !pn_param_parse(id, text, &plain)) return kResultFalse;
    normalized = pn_param_to_normalized(id, plain);
    return kResultOk;
  }
  ParamValue PLUGIN_API normalizedParamToPlain(ParamID id, ParamValue normalized) override { return pn_param_from_normalized(id, normalized); }
  ParamValue PLUGIN_API plainParamToNormalized(ParamID id, ParamValue plain) override { return pn_param_to_normalized(id, plain); }
  ParamValue PLUGIN_API getParamNormalized(ParamID id) override {
    if (!core_ || !is_param(id)) return 0.0;
    return pn_param_to_normalized(id, pn_core_param(core_, id));
  }
  tresult PLUGIN_API setParamNormalized(ParamID id, ParamValue normalized) override {
    if (!core_ || !is_param(id)) return kInvalidArgument;
    pn_core_set_param(core_, id, pn_param_from_normalized(id, normalized));
    return kResultOk;
  }
  tresult PLUGIN_API setComponentHandler(IComponentHandler* handler) override {
    if (handler) handler->addRef();
    if (handler_) handler_->release();
    handler_ = handler;
    return kResultOk;
  }
  IPlugView* PLUGIN_API createView(FIDString name) override {
    (void)name;
    return nullptr; /* hosts show their generic editor */
  }

 private:
  ~Pianola() { terminate(); }

  static int32 channels_of(SpeakerArrangement a) { return a == SpeakerArr::kMono ? 1 : a == SpeakerArr::kStereo ? 2 : 0; }

  static bool read_all(IBStream* s, uint8* buf, int32 n) {
    while (n > 0) {
      int32 got = 0;
      if (s->read(buf, n, &got) != kResultOk || got <= 0) return false;
      buf += got;
      n -= got;
    }
    return true;
  }

  static void emit(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size);
  uint32 read_events(ProcessData& data);

  std::atomic<uint32> refs_{1};
  PnCore* core_ = nullptr;
  IComponentHandler* handler_ = nullptr;
  double rate_ = 48000.0;
  int32 channels_in_ = 2, channels_out_ = 2;
  IEventList* out_ = nullptr; /* this block's output list */
  int last_status_ = -1;
  PnHostEvent events_[kMaxEvents];
};

/* The core's MIDI as VST3 events on the event output (bus 0). */
void Pianola::emit(void* ctx, uint32_t frame, const uint8_t* msg, uint32_t size) {
  Pianola* self = static_cast<Pianola*>(ctx);
  if (!self->out_ || size < 2 || size > 3) return;
  Event e;
  memset(&e, 0, sizeof e);
  e.busIndex = 0;
  e.sampleOffset = (int32)frame;
  const uint8_t type = msg[0] & 0xF0, ch = msg[0] & 0x0F, d2 = size > 2 ? msg[2] : 0;
  if (type == 0x90 && d2 > 0) {
    e.type = Event::kNoteOnEvent;
    e.noteOn = {(int16)ch, (int16)msg[1], 0.0f, d2 / 127.0f, 0, -1};
  } else if (type == 0x80 || type == 0x90) {
    e.type = Event::kNoteOffEvent;
    e.noteOff = {(int16)ch, (int16)msg[1], d2 / 127.0f, -1, 0.0f};
  } else if (type == 0xB0) {
    e.type = Event::kLegacyMIDICCOutEvent;
    e.midiCCOut = {msg[1], (int8)ch, (int8)d2, 0};
  } else {
    return;
  }
  self->out_->addEvent(e); /* a full host list drops the message */
}

/* The block's input: the ProcessContext as a position at frame 0, then the notes. */
uint32 Pianola::read_events(ProcessData& data) {
  uint32 n = 0;
  const ProcessContext* c = data.processContext;
  if (c) {
    PnHostEvent& e = events_[n++];
    memset(&e, 0, sizeof e);
    e.kind = PN_EV_POSITION;
    PnPosition& p = e.position;
    double units_per_quarter = 1.0;
    if ((c->state & ProcessContext::kTimeSigValid) && c->timeSigNumerator > 0 && c->timeSigDenominator > 0 && c->timeSigDenominator <= 256) {
      units_per_quarter = c->timeSigDenominator / 4.0;
      p.has_beats_per_bar = true;
      p.beats_per_bar = c->timeSigNumerator;
      p.has_beat_unit = true;
      p.beat_unit = c->timeSigDenominator;
    }
    p.has_speed = true;
    p.speed = (c->state & ProcessContext::kPlaying) ? 1.0 : 0.0;
    p.has_frame = true;
    p.frame = c->projectTimeSamples;
    if ((c->state & ProcessContext::kTempoValid) && isfinite(c->tempo) && c->tempo > 0.0) {
      p.has_bpm = true;
      p.bpm = c->tempo * units_per_quarter;
    }
    if ((c->state & ProcessContext::kProjectTimeMusicValid) && isfinite(c->projectTimeMusic)) {
      p.has_beat = true;
      p.beat = c->projectTimeMusic * units_per_quarter;
    }
  }
  IEventList* in = data.inputEvents;
  const int32 count = in ? in->getEventCount() : 0;
  for (int32 i = 0; i < count; i++) {
    Event ev;
    if (in->getEvent(i, ev) != kResultOk) continue;
    uint8_t msg[3];
    if (ev.type == Event::kNoteOnEvent && ev.noteOn.pitch >= 0 && ev.noteOn.pitch < 128) {
      const long vel = isfinite(ev.noteOn.velocity) ? lround(ev.noteOn.velocity * 127.0) : 0;
      msg[0] = (uint8_t)(0x90 | (ev.noteOn.channel & 0x0F));
      msg[1] = (uint8_t)ev.noteOn.pitch;
      msg[2] = (uint8_t)(vel < 1 ? 1 : vel > 127 ? 127 : vel); /* velocity 0 would read as a note-off */
    } else if (ev.type == Event::kNoteOffEvent && ev.noteOff.pitch >= 0 && ev.noteOff.pitch < 128) {
      const long vel = isfinite(ev.noteOff.velocity) ? lround(ev.noteOff.velocity * 127.0) : 0;
      msg[0] = (uint8_t)(0x80 | (ev.noteOff.channel & 0x0F));
      msg[1] = (uint8_t)ev.noteOff.pitch;
      msg[2] = (uint8_t)(vel < 0 ? 0 : vel > 127 ? 127 : vel);
    } else {
      continue;
    }
    if (n == kMaxEvents) continue; /* more than a block can carry: dropped */
    PnHostEvent& e = events_[n++];
    memset(&e, 0, sizeof e);
    e.frame = ev.sampleOffset < 0 ? 0 : (uint32_t)ev.sampleOffset;
    e.kind = PN_EV_MIDI;
    e.size = 3;
    memcpy(e.midi, msg, 3);
  }
  return n;
}

tresult PLUGIN_API Pianola::process(ProcessData& data) {
  if (!core_) return kNotInitialized;
  /* parameter changes: the last point of each queue (the core takes parameters per block) */
  if (IParameterChanges* changes = data.inputParameterChanges) {
    const int32 n = changes->getParameterCount();
    for (int32 i = 0; i < n; i++) {
      IParamValueQueue* q = changes->getParameterData(i);
      int32 offset = 0;
      ParamValue v = 0;
      if (!q || q->getPointCount() <= 0 || q->getPoint(q->getPointCount() - 1, offset, v) != kResultOk) continue;
      const ParamID id = q->getParameterId();
      if (is_param(id)) pn_core_set_param(core_, id, pn_param_from_normalized(id, v));
    }
  }
  if (data.numSamples <= 0) return kResultOk; /* a parameter flush */
  const bool audio = data.symbolicSampleSize == kSample32;
  const AudioBusBuffers* in = audio && data.numInputs > 0 ? &data.inputs[0] : nullptr;
  AudioBusBuffers* out = audio && data.numOutputs > 0 ? &data.outputs[0] : nullptr;
  auto ch = [](const AudioBusBuffers* b, int32 i) -> float* {
    return b && b->channelBuffers32 && i < b->numChannels ? b->channelBuffers32[i] : nullptr;
  };
  out_ = data.outputEvents;
  PnBlock block;
  memset(&block, 0, sizeof block);
  block.frames = (uint32_t)data.numSamples;
  block.in_l = ch(in, 0);
  block.in_r = ch(in, 1);
  block.out_l = ch(out, 0);
  block.out_r = ch(out, 1);
  block.events = events_;
  block.n_events = read_events(data);
  block.emit = emit;
  block.emit_ctx = this;
  pn_core_process(core_, &block);
  out_ = nullptr;
  if (out) out->silenceFlags = 0;
  /* the status, for the host's display of the read-only parameter */
  const int status = pn_core_status(core_);
  if (status != last_status_ && data.outputParameterChanges) {
    int32 index = 0;
    const ParamID id = PN_PARAM_STATUS;
    if (IParamValueQueue* q = data.outputParameterChanges->addParameterData(id, index)) {
      q->addPoint(0, pn_param_to_normalized(PN_PARAM_STATUS, status), index);
      last_status_ = status;
    }
  }
  return kResultOk;
}

class Factory final : public IPluginFactory2 {
 public:
  tresult PLUGIN_API queryInterface(const TUID iid, void** obj) override {
    if (iid_equal(iid, FUnknown::iid) || iid_equal(iid, IPluginFactory::iid) || iid_equal(iid, IPluginFactory2::iid)) {
      *obj = this;
      return kResultOk;
    }
    *obj = nullptr;
    return kNoInterface;
  }
  uint32 PLUGIN_API addRef() override { return 1; } /* static: lives as long as the library */
  uint32 PLUGIN_API release() override { return 1; }
  tresult PLUGIN_API getFactoryInfo(PFactoryInfo* info) override {
    *info = PFactoryInfo();
    snprintf(info->vendor, sizeof info->vendor, "Pianola");
    snprintf(info->url, sizeof info->url, "https://pianola.dev");
    snprintf(info->email, sizeof info->email, "hello@pianola.dev");
    info->flags = PFactoryInfo::kUnicode;
    return kResultOk;
  }
  int32 PLUGIN_API countClasses() override { return 1; }
  /* what PClassInfo and PClassInfo2 share */
  template <typename Info>
  static void describe(Info* info) {
    *info = Info();
    memcpy(info->cid, kPianolaCid, sizeof(TUID));
    info->cardinality = PClassInfo::kManyInstances;
    snprintf(info->category, sizeof info->category, "%s", kVstAudioEffectClass);
    snprintf(info->name, sizeof info->name, "Pianola");
  }
  tresult PLUGIN_API getClassInfo(int32 index, PClassInfo* info) override {
    if (index != 0) return kInvalidArgument;
    describe(info);
    return kResultOk;
  }
  tresult PLUGIN_API getClassInfo2(int32 index, PClassInfo2* info) override {
    if (index != 0) return kInvalidArgument;
    describe(info);
    info->classFlags = 0;
    /* an instrument slot is where hosts give a plug-in MIDI in; it generates the piano part */
    snprintf(info->subCategories, sizeof info->subCategories, "Instrument|Generator");
    snprintf(info->vendor, sizeof info->vendor, "Pianola");
    snprintf(info->version, sizeof info->version, "%s", PN_VERSION); /* the pom's, passed by the Makefile */
    snprintf(info->sdkVersion, sizeof info->sdkVersion, "%s", kVstVersionString);
    return kResultOk;
  }
  tresult PLUGIN_API createInstance(FIDString cid, FIDString iid, void** obj) override {
    *obj = nullptr;
    if (!iid_equal(reinterpret_cast<const char*>(cid), kPianolaCid)) return kNoInterface;
    Pianola* p = new (std::nothrow) Pianola();
    if (!p) return kOutOfMemory;
    const tresult r = p->queryInterface(reinterpret_cast<const char*>(iid), obj);
    p->release(); /* the reference queryInterface took is the caller's */
    return r;
  }
};

Factory g_factory;

/* Contents/<arch>-linux/Pianola.so (Windows: Contents/x86_64-win/Pianola.vst3) -> Contents/Resources
   (else the library's own folder) */
void find_bundle() {
  char path[PATH_MAX];
#ifdef _WIN32
  HMODULE self = nullptr;
  if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCSTR>(&find_bundle), &self) ||
      !GetModuleFileNameA(self, path, sizeof path))
    return;
  for (char* c = path; *c; c++)
    if (*c == '\\') *c = '/';
#else
  Dl_info info;
  if (!dladdr(reinterpret_cast<void*>(&find_bundle), &info) || !info.dli_fname) return;
  snprintf(path, sizeof path, "%s", info.dli_fname);
#endif
  char* slash = strrchr(path, '/');
  if (!slash) return;
  *slash = '\0';
  char resources[PATH_MAX + 16];
  snprintf(resources, sizeof resources, "%s/../Resources", path);
  struct stat st;
  char real[PATH_MAX];
#ifdef _WIN32
  const bool found = stat(resources, &st) == 0 && (st.st_mode & S_IFDIR) && _fullpath(real, resources, sizeof real);
#else
  const bool found = stat(resources, &st) == 0 && S_ISDIR(st.st_mode) && realpath(resources, real);
#endif
  snprintf(g_bundle, sizeof g_bundle, "%s", found ? real : path);
}

}  // namespace

extern "C" {

SMTG_EXPORT_SYMBOL IPluginFactory* PLUGIN_API GetPluginFactory() {
  static bool ready = false;
  if (!ready) {
    find_bundle();
    init_tables();
    ready = true;
  }
  return &g_factory;
}

#ifdef _WIN32
/* Windows hosts call these around loading */
SMTG_EXPORT_SYMBOL bool InitDll() {
  GetPluginFactory();
  return true;
}
SMTG_EXPORT_SYMBOL bool ExitDll() { return true; }
#else
/* Linux hosts call these around loading (the module's handle is not needed: dladdr finds us) */
SMTG_EXPORT_SYMBOL bool ModuleEntry(void* handle) {
  (void)handle;
  GetPluginFactory();
  return true;
}

SMTG_EXPORT_SYMBOL bool ModuleExit() { return true; }
#endif
}
