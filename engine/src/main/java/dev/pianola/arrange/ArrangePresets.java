package dev.pianola.arrange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pianola.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Arrangement presets: JSON objects whose fields override {@link ArrangeOptions#defaults()} (any
 * field left out keeps its default; an optional "description" is for people). Named presets live in
 * {@code <repository root>/presets/arrange/<name>.json}; the built-in ones are also on the classpath,
 * so the jar works wherever it is.
 */
public final class ArrangePresets {
    /** Folder of the presets, relative to the repository root and on the classpath. */
    public static final String FOLDER = "presets/arrange";
    /** Presets that ship inside the jar. */
    public static final List<String> BUILT_IN = List.of("ballad", "default", "full", "pop", "simple");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ArrangePresets() {}

    /** A built-in preset by name, or a preset file by path. */
    public static ArrangeOptions load(String nameOrPath) {
        return load(nameOrPath, null);
    }

    /**
     * A preset by name (looked up in {@code repoRoot/presets/arrange}, then among the built-in ones)
     * or by path (anything that is not a bare name, such as {@code my.json} or {@code ./x}).
     */
    public static ArrangeOptions load(String nameOrPath, Path repoRoot) {
        if (nameOrPath == null || nameOrPath.isBlank()) throw new BadInputException("arrangement preset: empty name");
        if (!NAME.matcher(nameOrPath).matches()) return loadFile(Path.of(nameOrPath));
        Text t = named(nameOrPath, repoRoot);
        return parse(t.json(), t.source());
    }

    /** What a named preset says of itself ("description"), or null when it says nothing. */
    public static String description(String name, Path repoRoot) {
        Text t = named(name, repoRoot);
        try {
            JsonNode d = JSON.readTree(t.json()).get("description");
            return d != null && d.isTextual() ? d.asText() : null;
        } catch (JsonProcessingException e) {
            throw new BadInputException(t.source(), "not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    private record Text(String json, Path source) {}

    /** A named preset's JSON: from {@code repoRoot/presets/arrange} when there, else built in. */
    private static Text named(String name, Path repoRoot) {
        if (repoRoot != null) {
            Path file = repoRoot.resolve(FOLDER).resolve(name + ".json");
            if (Files.isRegularFile(file)) {
                try {
                    return new Text(Files.readString(file, StandardCharsets.UTF_8), file);
                } catch (IOException e) {
                    throw new BadInputException(file, "cannot read preset (" + e.getMessage() + ")", e);
                }
            }
        }
        try (InputStream in = ArrangePresets.class.getResourceAsStream("/" + FOLDER + "/" + name + ".json")) {
            if (in == null) {
                throw new BadInputException("unknown arrangement preset '" + name + "' (known: "
                        + String.join(", ", names(repoRoot)) + "; or give the path of a .json file)");
            }
            return new Text(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of(FOLDER, name + ".json (built in)"));
        } catch (IOException e) {
            throw new BadInputException(Path.of(name), "cannot read built-in preset (" + e.getMessage() + ")", e);
        }
    }

    /** Names of the presets in {@code repoRoot/presets/arrange} (when given) and the built-in ones, sorted. */
    public static List<String> names(Path repoRoot) {
        TreeSet<String> names = new TreeSet<>(BUILT_IN);
        if (repoRoot != null && Files.isDirectory(repoRoot.resolve(FOLDER))) {
            try (Stream<Path> files = Files.list(repoRoot.resolve(FOLDER))) {
                files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json"))
                        .map(f -> f.substring(0, f.length() - 5)).filter(n -> NAME.matcher(n).matches()).forEach(names::add);
            } catch (IOException e) {
                throw new BadInputException(repoRoot.resolve(FOLDER), "cannot list presets (" + e.getMessage() + ")", e);
            }
        }
        return new ArrayList<>(names);
    }

    public static ArrangeOptions loadFile(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file, Files.exists(file) ? "not a regular file" : "no such preset file");
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read preset (" + e.getMessage() + ")", e);
        }
    }

    /** Reads preset JSON; {@code source} names it in error messages. */
    public static ArrangeOptions parse(String json, Path source) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new BadInputException(source, "not valid JSON" + where + " (" + e.getOriginalMessage() + ")", e);
        }
        if (tree == null || !tree.isObject()) throw new BadInputException(source, "an arrangement preset must be a JSON object of options");
        ObjectNode fields = (ObjectNode) tree;
        JsonNode description = fields.remove("description");
        if (description != null && !description.isTextual()) throw new BadInputException(source, "\"description\" must be a string");
        return merge(ArrangeOptions.defaults(), fields, source);
    }

    /** {@code base} with some fields replaced, e.g. {@code Map.of("maxPolyphony", 4, "quantizeGrid", "EIGHTH")}. */
    public static ArrangeOptions withOverrides(ArrangeOptions base, Map<String, ?> overrides) {
        return merge(base, JSON.valueToTree(overrides), null);
    }

    private static ArrangeOptions merge(ArrangeOptions base, ObjectNode overrides, Path source) {
        ObjectNode merged = JSON.valueToTree(base);
        merged.setAll(overrides);
        try {
            return JSON.treeToValue(merged, ArrangeOptions.class);
        } catch (UnrecognizedPropertyException e) {
            throw bad(source, "unknown option '" + e.getPropertyName() + "' (known: " + knownOptions(base) + ")", e);
        } catch (InvalidFormatException e) {
            throw bad(source, "option '" + fieldPath(e) + "': bad value " + e.getValue() + " (expected " + expected(e.getTargetType()) + ")", e);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof BadInputException b) throw source == null ? b : new BadInputException(source, b.getMessage(), e);
            throw bad(source, "bad options (" + dev.pianola.io.JsonProblems.describe(e) + ")", e);
        } catch (MismatchedInputException e) {
            throw bad(source, "option '" + fieldPath(e) + "': wrong kind of value (expected " + expected(e.getTargetType()) + ")", e);
        } catch (JsonProcessingException e) {
            throw bad(source, "bad options (" + dev.pianola.io.JsonProblems.describe(e) + ")", e);
        }
    }

    private static String knownOptions(ArrangeOptions base) {
        List<String> names = new ArrayList<>();
        JSON.valueToTree(base).fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String fieldPath(MismatchedInputException e) {
        StringBuilder s = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) s.append(s.length() == 0 ? "" : ".").append(ref.getFieldName());
        }
        return s.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) return "another value";
        if (type == ArrangeOptions.Grid.class) return "one of " + List.of(ArrangeOptions.Grid.values());
        if (type == ArrangeOptions.Overflow.class) return "one of " + List.of(ArrangeOptions.Overflow.values());
        if (type == ArrangeOptions.VelocityMode.class) return "one of " + List.of(ArrangeOptions.VelocityMode.values());
        if (type == ArrangeOptions.Texture.class) return "one of " + List.of(ArrangeOptions.Texture.values());
        if (type == int.class || type == Integer.class) return "a whole number";
        if (type == double.class || type == Double.class) return "a number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "a string";
        return type.getSimpleName();
    }

    private static BadInputException bad(Path source, String problem, Throwable cause) {
        return source == null ? new BadInputException("arrangement options: " + problem) : new BadInputException(source, problem, cause);
    }
}
