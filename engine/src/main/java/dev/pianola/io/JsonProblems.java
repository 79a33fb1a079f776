package dev.pianola.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Jackson error in the words of the file's reader: where in the JSON and what was wrong, without
 * Java's type names (Jackson says "Cannot deserialize value of type `java.lang.Integer`"), for the
 * one-line refusals of the files users and model packages hand us.
 */
public final class JsonProblems {
    private static final Pattern JAVA_TYPE = Pattern.compile("`(?:java|javax|com|org|dev)\\.[\\w.$<>, ]+`");

    private JsonProblems() {}

    public static String describe(JacksonException e) {
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            String at = path(m);
            return "wrong kind of value" + (at.isEmpty() ? "" : " at " + at) + " (expected " + kind(m.getTargetType()) + ")";
        }
        String message = e.getOriginalMessage() == null ? "unreadable JSON" : e.getOriginalMessage().lines().findFirst().orElse("");
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return JAVA_TYPE.matcher(message).replaceAll("a value") + where;
    }

    /** The JSON path of the value, as {@code files[2].path}. */
    private static String path(JsonMappingException e) {
        StringBuilder s = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) s.append(s.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) s.append('[').append(r.getIndex()).append(']');
        }
        return s.toString();
    }

    private static String kind(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) return "a whole number";
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type.isArray() || Collection.class.isAssignableFrom(type)) return "a list";
        if (type.isEnum()) return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "an object" : "another value";
    }
}
