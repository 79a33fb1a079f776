package dev.pianola.models.remi;

import dev.pianola.ModelException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.remi.RemiConstants.*;

/**
 * The REMI base vocabulary ({@code _vocab_base}: token string to base id) and everything derived
 * from it. The musical bins come from the tokens themselves, never from the file's config: the
 * Hub file said {@code nb_velocities: 32} for a vocabulary of 16 velocity tokens (spec section 0,
 * item 9), so only the vocabulary can be trusted.
 */
final class RemiVocabulary {
    /** One base token, parsed once: its type ("Pitch") and value ("60"). */
    record Token(String text, String type, String value) {
    }

    /** A duration bin {@code beat.pos.res}: {@code (beat * res + pos) * tpq // res} ticks. */
    record DurationBin(int beat, int pos, int res, String token) {
        long ticks(int ticksPerQuarter) {
            return Math.floorDiv((long) (beat * res + pos) * ticksPerQuarter, res);
        }
    }

    private final Token[] tokens;
    private final Map<String, Integer> ids;
    private final int minPitch, maxPitch;
    /** Ascending, so the first of two equally near bins is the lower one (numpy argmin). */
    private final int[] velocities;
    /** In base-id order, which is MidiTok's bin order (shorter first): argmin ties go to the shorter. */
    private final List<DurationBin> durations;
    /** Positions per bar; positions per beat is this over {@link RemiConstants#BEATS_PER_BAR}. */
    private final int positionsPerBar;

    RemiVocabulary(Map<String, Integer> vocabBase, Map<String, String> byteToToken, Path file) {
        this.ids = Map.copyOf(vocabBase);
        tokens = new Token[vocabBase.size()];
        for (Map.Entry<String, Integer> e : vocabBase.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length || tokens[id] != null)
                throw bad(file, "base id " + id + " of " + e.getKey() + " is repeated or outside 0.." + (tokens.length - 1));
            int sep = e.getKey().indexOf('_');
            if (sep <= 0 || sep == e.getKey().length() - 1) throw bad(file, "base token \"" + e.getKey() + "\" is not Type_Value");
            tokens[id] = new Token(e.getKey(), e.getKey().substring(0, sep), e.getKey().substring(sep + 1));
        }
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            if (i >= tokens.length || !tokens[i].text().equals(SPECIAL_TOKENS.get(i)))
                throw bad(file, "base id " + i + " must be " + SPECIAL_TOKENS.get(i) + " (the paper's special tokens come first)");
        }
        checkCharacters(byteToToken, file);

        int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE, positions = 0;
        List<Integer> vel = new ArrayList<>();
        List<DurationBin> dur = new ArrayList<>();
        for (int id = SPECIAL_TOKENS.size(); id < tokens.length; id++) {
            Token t = tokens[id];
            try {
                switch (t.type()) {
                    case BAR -> { if (!t.value().equals(NONE)) throw bad(file, "unexpected token " + t.text()); }
                    case PITCH -> { int p = Integer.parseInt(t.value()); lo = Math.min(lo, p); hi = Math.max(hi, p); }
                    case VELOCITY -> vel.add(Integer.parseInt(t.value()));
                    case DURATION -> dur.add(parseDuration(t.text(), t.value()));
                    case POSITION -> positions++;
                    default -> throw bad(file, "token type " + t.type() + " (" + t.text()
                            + ") is not supported: the paper's REMI has only Bar, Position, Pitch, Velocity and Duration");
                }
            } catch (NumberFormatException e) {
                throw bad(file, "token " + t.text() + " has a malformed value");
            }
        }
        if (vel.isEmpty() || dur.isEmpty() || lo > hi || !vocabBase.containsKey(BAR + "_" + NONE))
            throw bad(file, "base vocabulary lacks Bar, Pitch, Velocity or Duration tokens");
        if (positions == 0 || positions % BEATS_PER_BAR != 0) throw bad(file, positions + " Position tokens: not a whole number per beat of a 4-beat bar");
        for (int p = lo; p <= hi; p++) if (!vocabBase.containsKey(PITCH + "_" + p)) throw bad(file, "pitch range has a hole at Pitch_" + p);
        for (int p = 0; p < positions; p++) if (!vocabBase.containsKey(POSITION + "_" + p)) throw bad(file, "missing Position_" + p);
        minPitch = lo;
        maxPitch = hi;
        velocities = vel.stream().mapToInt(Integer::intValue).sorted().toArray();
        durations = List.copyOf(dur);
        positionsPerBar = positions;
    }

    /**
     * {@code _vocab_base_byte_to_token} must be exactly {@code chr(id + 33) -> token} for every base
     * token: the BPE strings are made of those characters, and a file where they disagree would
     * decode to the wrong notes without any error.
     */
    private void checkCharacters(Map<String, String> byteToToken, Path file) {
        if (byteToToken.size() != tokens.length)
            throw bad(file, KEY_BYTE_TO_TOKEN + " has " + byteToToken.size() + " entries for " + tokens.length + " base tokens");
        for (Map.Entry<String, String> e : byteToToken.entrySet()) {
            Integer id = ids.get(e.getValue());
            if (id == null) throw bad(file, KEY_BYTE_TO_TOKEN + " maps to " + e.getValue() + ", which is not in " + KEY_VOCAB_BASE);
            if (!e.getKey().equals(String.valueOf(charOf(id))))
                throw bad(file, KEY_BYTE_TO_TOKEN + " gives " + e.getValue() + " the character U+" + hex(e.getKey())
                        + ", expected U+" + hex(String.valueOf(charOf(id))) + " (chr(id + 33))");
        }
    }

    private static DurationBin parseDuration(String text, String value) {
        int[] bpr = Arrays.stream(value.split("\\.")).mapToInt(Integer::parseInt).toArray();
        if (bpr.length != 3 || bpr[2] <= 0) throw new NumberFormatException(text);
        return new DurationBin(bpr[0], bpr[1], bpr[2], text);
    }

    static char charOf(int baseId) {
        return (char) (baseId + CHR_ID_START);
    }

    /** The base id of a BPE character, or -1 when it is none. */
    int idOfChar(char c) {
        int id = c - CHR_ID_START;
        return id >= 0 && id < tokens.length ? id : -1;
    }

    int size() {
        return tokens.length;
    }

    Token token(int baseId) {
        return tokens[baseId];
    }

    int id(String token) {
        Integer id = ids.get(token);
        if (id == null) throw new IllegalStateException("no base token " + token);
        return id;
    }

    int minPitch() { return minPitch; }
    int maxPitch() { return maxPitch; }
    int[] velocities() { return velocities.clone(); }
    List<DurationBin> durations() { return durations; }
    int positionsPerBar() { return positionsPerBar; }
    int positionsPerBeat() { return positionsPerBar / BEATS_PER_BAR; }

    private static String hex(String s) {
        return s.codePoints().mapToObj(cp -> String.format("%04X", cp)).reduce((a, b) -> a + " U+" + b).orElse("(empty)");
    }

    private static ModelException bad(Path file, String problem) {
        return new ModelException(file, "REMI tokenizer: " + problem);
    }
}
