package dev.pianola.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code --json} summary of a job: an ordered map printed as one JSON object. */
final class Summary {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Summary put(String key, Object value) {
        if (value instanceof Double d) value = Math.round(d * 1000.0) / 1000.0; // milliseconds are plenty
        fields.put(key, value);
        return this;
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
