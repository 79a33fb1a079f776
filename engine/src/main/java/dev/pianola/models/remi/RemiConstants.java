package dev.pianola.models.remi;

import java.util.List;

/**
 * Every constant of the REMI+BPE tokenizer of {@code Natooz/Maestro-REMI-bpe20k} in one place
 * (MidiTok 2.0.6 and the paper's BPE-Symbolic-Music constants.py; spec
 * ../shared/reference/symbolic.md section 2). The musical parameters themselves (pitch range,
 * velocity bins, durations, positions) are read from the tokenizer file's vocabulary, not from here.
 */
public final class RemiConstants {
    private RemiConstants() {
    }

    /** Base token id {@code i} is the character {@code (char) (i + CHR_ID_START)} in BPE strings (MidiTok CHR_ID_START). */
    public static final int CHR_ID_START = 33;

    /** The paper's special tokens, in vocabulary order: base ids and BPE ids 0..4 alike. */
    public static final List<String> SPECIAL_TOKENS = List.of("PAD_None", "MASK_None", "BOS_None", "EOS_None", "SEP_None");
    public static final int PAD_ID = 0, MASK_ID = 1, BOS_ID = 2, EOS_ID = 3, SEP_ID = 4;

    /** Time division of the paper's data and of MidiTok's decode (TIME_DIVISION). */
    public static final int TICKS_PER_QUARTER = 384;
    /** REMI bars are always four beats long in MidiTok 2.0.6 ({@code ticks_per_bar = tpq * 4}). */
    public static final int BEATS_PER_BAR = 4;
    /**
     * The most bars encoded: REMI writes a Bar token for every bar up to the last onset, empty ones
     * too, so one note far out in time made the text as long as its time (11 hours of 4/4 at 120 BPM
     * is far past any piece, and past what any prompt window holds).
     */
    public static final int MAX_ENCODED_BARS = 20_000;
    /** MidiTok decodes at its default tempo (TEMPO = 120). */
    public static final double DECODE_BPM = 120.0;

    /** Token types of the paper's REMI; anything else in a vocabulary is refused. */
    public static final String BAR = "Bar", POSITION = "Position", PITCH = "Pitch", VELOCITY = "Velocity", DURATION = "Duration";
    /** The value of tokens without one ({@code Bar_None}, the specials). */
    public static final String NONE = "None";

    /** Tokenizer file keys: MidiTok 2.0.6 / 2.1 write {@code _bpe_model}, 3.0.3 and later {@code _model}. */
    public static final String KEY_VOCAB_BASE = "_vocab_base", KEY_BYTE_TO_TOKEN = "_vocab_base_byte_to_token",
            KEY_MODEL = "_model", KEY_MODEL_OLD = "_bpe_model", KEY_TOKENIZATION = "tokenization";
    public static final String TOKENIZATION_REMI = "REMI";
}
