package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How the arrangement is played: a preset, then any of the common rules overridden. */
final class ArrangementOptions {
    @Option(names = "--preset", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "Arrangement preset: default, simple (beginner: melody and bass), full (advanced), pop (bass and on-beat chords), ballad (broken chords), or a JSON file (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--max-polyphony", paramLabel = "N", description = "Most notes sounding at once, both hands (1..10).")
    Integer maxPolyphony;

    @Option(names = "--hand-span", paramLabel = "SEMITONES", description = "Widest chord each hand holds (12 = an octave).")
    Integer handSpan;

    @Option(names = "--grid", paramLabel = "GRID", description = "Quantize to: 1/4, 1/8, 1/8t, 1/16, 1/16t, 1/32 or off.")
    String grid;

    @Option(names = "--quantize-strength", paramLabel = "0..1", description = "1 = exactly on the grid, 0.5 = halfway there.")
    Double quantizeStrength;

    @Option(names = "--snap-to-key", description = "Move out-of-key notes to the nearest note of the key (detected unless --key).")
    boolean snapToKey;

    @Option(names = "--key", paramLabel = "KEY", description = "The key for --snap-to-key, e.g. C, F#m, Bb, \"A minor\" (implies --snap-to-key).")
    String key;

    @Option(names = "--velocity", paramLabel = "shaped|raw", description = "shaped: a musical range with downbeat accents; raw: as heard.")
    String velocity;

    ArrangeOptions options() {
        // checked here too so that the message names the flag, not the preset field
        if (maxPolyphony != null && (maxPolyphony < 1 || maxPolyphony > 10)) {
            throw new BadInputException("--max-polyphony " + maxPolyphony + ": expected 1 to 10 (ten fingers)");
        }
        if (handSpan != null && (handSpan < 0 || handSpan > 24)) {
            throw new BadInputException("--hand-span " + handSpan + ": expected 0 to 24 semitones (two octaves)");
        }
        if (quantizeStrength != null && !(quantizeStrength >= 0 && quantizeStrength <= 1)) {
            throw new BadInputException("--quantize-strength " + quantizeStrength + ": expected 0 to 1");
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (maxPolyphony != null) overrides.put("maxPolyphony", maxPolyphony);
        if (handSpan != null) {
            overrides.put("rightHandSpanSemitones", handSpan);
            overrides.put("leftHandSpanSemitones", handSpan);
        }
        if (grid != null) overrides.put("quantizeGrid", gridOf(grid).name());
        if (quantizeStrength != null) overrides.put("quantizeStrength", quantizeStrength);
        if (snapToKey || key != null) overrides.put("scaleSnap", true);
        if (key != null) overrides.put("key", key);
        if (velocity != null) {
            overrides.put("velocityMode", switch (velocity.toLowerCase(Locale.ROOT)) {
                case "shaped", "shape" -> "SHAPE";
                case "raw" -> "RAW";
                default -> throw new BadInputException("--velocity " + velocity + ": expected shaped or raw");
            });
        }
        String root = System.getProperty("pianola.root");
        ArrangeOptions base = ArrangePresets.load(preset, root == null ? null : Path.of(root));
        return ArrangePresets.withOverrides(base, overrides);
    }

    static ArrangeOptions.Grid gridOf(String text) {
        return switch (text.toLowerCase(Locale.ROOT).replace(" ", "")) {
            case "off", "none" -> ArrangeOptions.Grid.OFF;
            case "1/4", "4" -> ArrangeOptions.Grid.QUARTER;
            case "1/8", "8" -> ArrangeOptions.Grid.EIGHTH;
            case "1/8t", "8t", "1/12" -> ArrangeOptions.Grid.EIGHTH_TRIPLET;
            case "1/16", "16" -> ArrangeOptions.Grid.SIXTEENTH;
            case "1/16t", "16t", "1/24" -> ArrangeOptions.Grid.SIXTEENTH_TRIPLET;
            case "1/32", "32" -> ArrangeOptions.Grid.THIRTY_SECOND;
            default -> throw new BadInputException("--grid " + text + ": expected 1/4, 1/8, 1/8t, 1/16, 1/16t, 1/32 or off");
        };
    }
}
