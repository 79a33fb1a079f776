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
            description = "Arrangement preset: ${sys:pianola.help.presets}; or a JSON file of your own (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--max-polyphony", paramLabel = "N",
            description = "Most notes sounding at once, both hands, 1..10 (default: the preset's; ${sys:pianola.help.maxPolyphony} in default).")
    Integer maxPolyphony;

    @Option(names = "--hand-span", paramLabel = "SEMITONES",
            description = "Widest chord each hand holds, 12 = an octave (default: the preset's; ${sys:pianola.help.handSpan} in default).")
    Integer handSpan;

    @Option(names = "--grid", paramLabel = "GRID",
            description = "Quantize to: 1/4, 1/8, 1/8t, 1/16, 1/16t, 1/32 or off (default: the preset's; ${sys:pianola.help.grid} in default).")
    String grid;

    @Option(names = "--quantize-strength", paramLabel = "0..1",
            description = "1 = exactly on the grid, 0.5 = halfway there (default: the preset's; ${sys:pianola.help.quantizeStrength} in default).")
    Double quantizeStrength;

    /**
     * The presets and the default preset's values, for the help text (picocli's ${sys:...}): read
     * from the presets themselves, so the help cannot drift from them.
     */
    static void publishHelpValues() {
        String root = System.getProperty("pianola.root");
        Path repoRoot = root == null ? null : Path.of(root);
        java.util.List<String> presets = new java.util.ArrayList<>();
        for (String name : ArrangePresets.names(repoRoot)) {
            // a preset's description starts with its kind of player ("Beginner: ..."): that much fits a help line
            String about = ArrangePresets.description(name, repoRoot);
            int colon = about == null ? -1 : about.indexOf(':');
            String kind = colon > 0 && colon <= 24 ? about.substring(0, colon).toLowerCase(Locale.ROOT) : name;
            presets.add(kind.equals(name) ? name : name + " (" + kind + ")");
        }
        System.setProperty("pianola.help.presets", String.join(", ", presets));
        ArrangeOptions d = ArrangePresets.load("default", repoRoot);
        System.setProperty("pianola.help.maxPolyphony", String.valueOf(d.maxPolyphony()));
        System.setProperty("pianola.help.handSpan", d.rightHandSpanSemitones() == d.leftHandSpanSemitones()
                ? String.valueOf(d.rightHandSpanSemitones()) : d.rightHandSpanSemitones() + " right, " + d.leftHandSpanSemitones() + " left");
        System.setProperty("pianola.help.grid", gridName(d.quantizeGrid()));
        System.setProperty("pianola.help.quantizeStrength", String.valueOf(d.quantizeStrength()));
    }

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

    /** How --grid writes {@code grid} ("1/16"): the first of the spellings {@link #gridOf} reads. */
    static String gridName(ArrangeOptions.Grid grid) {
        return switch (grid) {
            case OFF -> "off";
            case QUARTER -> "1/4";
            case EIGHTH -> "1/8";
            case EIGHTH_TRIPLET -> "1/8t";
            case SIXTEENTH -> "1/16";
            case SIXTEENTH_TRIPLET -> "1/16t";
            case THIRTY_SECOND -> "1/32";
        };
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
