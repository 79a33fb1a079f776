package dev.pianola.models;

import dev.pianola.BadInputException;
import dev.pianola.live.ContinuatorEngine;
import dev.pianola.live.MusicgenComposer;
import dev.pianola.live.PerceiverEngine;
import dev.pianola.live.RemiEngine;
import dev.pianola.runtime.ModelManifest;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The registry: every model family this build runs, in one list. Adding a family is its own package
 * under {@code models/} and one entry here; the model store, {@code continue}, {@code device} and
 * the plug-in read families from this list, and the plug-in's Engine menu (pn_params.h) is checked
 * against {@link #ENGINE_MENU} by a test. Basic Pitch is not here: it is embedded, not installed.
 */
public final class ModelFamilies {
    private ModelFamilies() {}

    /** The embedded default: a variable-order Markov model that learns the player (no package). */
    public static final ModelFamily CONTINUATOR = new ModelFamily("continuator", "Continuator", null, ModelFamily.Job.CONTINUE, Set.of(),
            (dir, device) -> new ContinuatorEngine());
    /** GPT-2 on REMI+BPE tokens (Natooz/Maestro-REMI-bpe20k and its tiny test twin). */
    public static final ModelFamily REMI = new ModelFamily("remi", "REMI (GPT-2)", "gpt2-remi", ModelFamily.Job.CONTINUE,
            ModelManifest.PRECISIONS, RemiEngine::open);
    /** Perceiver AR trained on GiantMIDI (krasserm/perceiver-ar-sam-giant-midi). */
    public static final ModelFamily PERCEIVER = new ModelFamily("perceiver", "Perceiver AR", "perceiver-ar", ModelFamily.Job.CONTINUE,
            Set.of(ModelManifest.FLOAT32, ModelManifest.INT8_DYNAMIC), PerceiverEngine::open);
    /** Pop2Piano (sweetcocoa/pop2piano): audio to a piano cover. */
    public static final ModelFamily POP2PIANO = new ModelFamily("pop2piano", "Pop2Piano", "pop2piano", ModelFamily.Job.COVER,
            Set.of(ModelManifest.FLOAT32, ModelManifest.INT8_DYNAMIC), null);

    /** MusicGen (facebook/musicgen-*): text (and audio) to music: {@code pianola compose}, and the plug-in's Compose engine. */
    public static final ModelFamily MUSICGEN = new ModelFamily("musicgen", "MusicGen", "musicgen", ModelFamily.Job.COMPOSE,
            Set.of(ModelManifest.FLOAT32, ModelManifest.INT8_DYNAMIC), null, MusicgenComposer::open);

    public static final List<ModelFamily> ALL = List.of(CONTINUATOR, REMI, PERCEIVER, POP2PIANO, MUSICGEN);
    /** The live engines, in the plug-in's Engine menu order (its value is the index here). */
    public static final List<ModelFamily> LIVE = ALL.stream().filter(ModelFamily::isLive).toList();
    /**
     * The plug-in's Engine menu (its value is the index here; labels {@link ModelFamily#menuTitle()}):
     * the live engines, then the composers.
     */
    public static final List<ModelFamily> ENGINE_MENU = java.util.stream.Stream.concat(LIVE.stream(), ALL.stream().filter(ModelFamily::composes)).toList();

    /** The family whose packages name {@code manifestFamily}, or null. */
    public static ModelFamily ofManifest(String manifestFamily) {
        for (ModelFamily f : ALL) if (f.needsPackage() && f.manifestFamily().equals(manifestFamily)) return f;
        return null;
    }

    /** The manifest families this build runs, for messages. */
    public static Set<String> manifestFamilies() {
        return ALL.stream().filter(ModelFamily::needsPackage).map(ModelFamily::manifestFamily).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The family named {@code name} that does {@code job}; a bad input naming the choices otherwise. */
    public static ModelFamily named(String name, ModelFamily.Job job, String option) {
        for (ModelFamily f : ALL) if (f.job() == job && f.name().equals(name)) return f;
        throw new BadInputException(option + " " + name + ": expected " + names(job));
    }

    /** "continuator, remi or perceiver": the names of the families that do {@code job}. */
    public static String names(ModelFamily.Job job) {
        return orList(ALL.stream().filter(f -> f.job() == job).map(ModelFamily::name).toList());
    }

    /** The names of the families that do {@code job} and need a package ("remi or perceiver"). */
    public static String packagedNames(ModelFamily.Job job) {
        return orList(ALL.stream().filter(f -> f.job() == job && f.needsPackage()).map(ModelFamily::name).toList());
    }

    /** "a, b or c", for messages that name the choices. */
    public static String orList(List<String> names) {
        if (names.size() <= 1) return String.join("", names);
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
