/* pn_vst3_iids.h: the ids of the Vst interfaces Pianola's VST3 code uses, defined once for each
   program that includes it (the plug-in, and our VST3 test host). The SDK's helper library would
   define them; we do not link it. The base interfaces' ids come from the SDK's
   pluginterfaces/base/coreiids.cpp. Include after the pluginterfaces headers, in one file per program. */
#ifndef PIANOLA_PN_VST3_IIDS_H
#define PIANOLA_PN_VST3_IIDS_H

namespace Steinberg {
namespace Vst {
DEF_CLASS_IID(IComponent)
DEF_CLASS_IID(IAudioProcessor)
DEF_CLASS_IID(IEditController)
DEF_CLASS_IID(IProcessContextRequirements)
DEF_CLASS_IID(IComponentHandler)
DEF_CLASS_IID(IEventList)
DEF_CLASS_IID(IParameterChanges)
DEF_CLASS_IID(IParamValueQueue)
}  // namespace Vst
}  // namespace Steinberg

#endif
