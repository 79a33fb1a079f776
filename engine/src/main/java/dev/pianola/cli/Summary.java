package dev.pianola.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --json} summary of a job: an ordered map printed as one JSON object on one line (JSON
 * Lines: a batch prints one line per input, a failure included, and a failed command an error
 * object, so a script reads standard output line by line).
 */
final class Summary {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Summary put(String key, Object value) {
        if (value instanceof Double d) value = Math.round(d * 1000.0) / 1000.0; // milliseconds are plenty
        fields.put(key, value);
        return this;
    }

    /** The line a failed job prints with --json: what failed, why, and the exit code it gives. */
    static Summary error(String command, Path input, dev.pianola.PianolaException e) {
        return new Summary().put("command", command).put("input", input == null ? null : input.toString()).put("error", e.getMessage())
                .put("exitCode", e.exitCode());
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
