package dev.pianola.models.pop2piano;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pop2Piano's generated token ids to notes, as Hugging Face's {@code Pop2PianoTokenizer.batch_decode}
 * (transformers 4.57.6) does it for one audio (spec pop2piano_musicgen.md 1.9.1-1.9.3, 1.13).
 *
 * <p>Each row of ids is one segment of the song (two "bars" of 4 half-beat steps each). Time tokens are
 * relative shifts in half-beat steps; the step counter starts at {@code 8 * row} and is an absolute index
 * into {@code extrapolated_beatstep}, so the seconds follow the song's beats, not a fixed tempo.
 *
 * <p>Reference quirks kept because they change the output (each is marked "QUIRK" where it is kept):
 * <ol>
 *   <li>A note-off (velocity mode 0) for a pitch with no pending onset opens a note (the original
 *       sweetcocoa code ignores it).</li>
 *   <li>A note token for a pitch whose onset is at the current step is ignored entirely (no zero-length note,
 *       no re-onset).</li>
 *   <li>Time shifts are clamped at {@code 8 * row + 12}, so a note can reach 4 steps into the next segment;
 *       ids 234 and up (outside the trained 0..99 shifts) are still time shifts.</li>
 *   <li>Notes left open at the end of a row are closed at {@code max(step, max(cutoff, onset + 1))}.</li>
 *   <li>Before decoding, every row is cut after the last EOS column of any row ({@code [:, :max_eos_col + 1]}),
 *       so a row without EOS that is longer than that loses its tail (and its open notes close there).</li>
 *   <li>Notes whose float32 end is not after their float32 start are dropped ({@code remove_invalid_notes}),
 *       judged before the first beat time is added.</li>
 *   <li>Times are float32: {@code (ext[i] - ext[0]) + beatsteps[0]}, each operation rounded to float.</li>
 *   <li>Velocity is always 77; the velocity token only selects on/off mode.</li>
 * </ol>
 * Deliberate differences: ids outside the vocabulary [0, 2400) are refused (the reference decodes them as a
 * time shift of -1); when no row holds EOS the reference raises ({@code np.max} of an empty array), while this
 * decodes the rows whole; a time index past the end of {@code extrapolated_beatstep} is refused with a message
 * (the reference raises IndexError).
 *
 * <p>Order: notes come row by row, each row sorted by (onset step, offset step). The reference sorts with
 * numpy's default (not stable) argsort, so the order of notes with equal onset and offset steps within a row
 * is not reproducible; this class keeps token order among them (a stable sort).
 */
public final class Pop2PianoTokens {
    private Pop2PianoTokens() {}

    /** ids 0..3 are special: 0 PAD / decoder start, 1 EOS, 2 and 3 never acted on. */
    public static final int PAD = 0;
    public static final int EOS = 1;
    public static final int N_SPECIAL = 4;
    public static final int N_PITCHES = 128;
    /** Pitch = id - NOTE_OFFSET for ids 4..131. */
    public static final int NOTE_OFFSET = N_SPECIAL;
    /** Velocity mode = id - VELOCITY_OFFSET for ids 132 (off) and 133 (on). */
    public static final int VELOCITY_OFFSET = NOTE_OFFSET + N_PITCHES;
    /** Shift in half-beat steps = id - TIME_OFFSET for ids 134..2399. */
    public static final int TIME_OFFSET = VELOCITY_OFFSET + 2;
    /** The vocabulary size of sweetcocoa/pop2piano (the decoder's logits width). */
    public static final int VOCAB_SIZE = 2400;
    /** {@code default_velocity}: every decoded note gets it. */
    public static final int DEFAULT_VELOCITY = 77;
    /** A row's steps start at row * STEPS_PER_SEGMENT (8). */
    public static final int STEPS_PER_SEGMENT = Pop2PianoConstants.STEPS_PER_SEGMENT;
    /** {@code cutoff_time_idx = (num_bars + 1) * 4}: a row's clock stops 12 steps after its start. */
    public static final int CUTOFF_STEPS = (Pop2PianoConstants.NUM_BARS + 1) * 4;

    /** A note in steps: indices into extrapolated_beatstep, and the row (segment) that made it. */
    public record StepNote(int row, int onsetStep, int offsetStep, int pitch, int velocity) {}

    /** A decoded note in the audio's seconds (float32 values, as the reference computes them). */
    public record DecodedNote(int pitch, int velocity, float startSeconds, float endSeconds) {}

    /**
     * Every row decoded on the step grid and concatenated in row order, without the EOS trimming of
     * {@link #decode}: {@code relative_batch_tokens_ids_to_notes(tokens, 0, 2, 12)}.
     */
    public static List<StepNote> decodeSteps(int[][] tokens) {
        checkIds(tokens);
        List<StepNote> notes = new ArrayList<>();
        for (int r = 0; r < tokens.length; r++) {
            int start = r * STEPS_PER_SEGMENT;
            notes.addAll(decodeRow(tokens[r], r, start, start + CUTOFF_STEPS));
        }
        return notes;
    }

    /**
     * One audio's generated rows to notes in seconds, as batch_decode's {@code notes}.
     *
     * @param tokens               one row per segment, each starting with the decoder-start 0; rows may differ in length
     * @param extrapolatedBeatstep the feature extractor's extrapolated_beatstep for this audio (unpadded)
     * @param firstBeatSeconds     beatsteps[0] of this audio: the time of the first beat in the audio
     */
    public static List<DecodedNote> decode(int[][] tokens, float[] extrapolatedBeatstep, float firstBeatSeconds) {
        checkIds(tokens);
        return toSeconds(decodeSteps(trimAfterLastEos(tokens)), extrapolatedBeatstep, firstBeatSeconds);
    }

    /**
     * As {@link #decode}, but every row whole: without batch_decode's cut of all rows at the last EOS
     * of any row. That cut makes a row without EOS depend on the other rows of its call (how many and
     * how long), so a song covered bar by bar (the live cover, a few rows per call) would lose notes a
     * whole-song call keeps; rows that end with EOS (a trained model's) decode the same either way.
     */
    public static List<DecodedNote> decodeRowsWhole(int[][] tokens, float[] extrapolatedBeatstep, float firstBeatSeconds) {
        checkIds(tokens);
        return toSeconds(decodeSteps(tokens), extrapolatedBeatstep, firstBeatSeconds);
    }

    private static List<DecodedNote> toSeconds(List<StepNote> steps, float[] extrapolatedBeatstep, float firstBeatSeconds) {
        float offsetSeconds = extrapolatedBeatstep.length > 0 ? extrapolatedBeatstep[0] : 0f;
        List<DecodedNote> notes = new ArrayList<>(steps.size());
        for (StepNote n : steps) {
            float start = stepSeconds(extrapolatedBeatstep, n.onsetStep(), n) - offsetSeconds;
            float end = stepSeconds(extrapolatedBeatstep, n.offsetStep(), n) - offsetSeconds;
            // QUIRK (remove_invalid_notes): judged on the times before firstBeatSeconds is added, so a note
            // that survives here can still come out with start == end after the float32 addition.
            if (!(end > start)) continue;
            notes.add(new DecodedNote(n.pitch(), n.velocity(), start + firstBeatSeconds, end + firstBeatSeconds));
        }
        return notes;
    }

    /**
     * QUIRK: batch_decode cuts every row to {@code [:max column of any EOS + 1]}. A row without EOS that is
     * longer loses its tail. Without any EOS the reference fails; here the rows are returned unchanged.
     */
    public static int[][] trimAfterLastEos(int[][] tokens) {
        int lastEos = -1;
        for (int[] row : tokens) {
            for (int c = row.length - 1; c > lastEos; c--) {
                if (row[c] == EOS) { lastEos = c; break; }
            }
        }
        if (lastEos < 0) return tokens;
        int[][] out = new int[tokens.length][];
        for (int r = 0; r < tokens.length; r++) {
            out[r] = java.util.Arrays.copyOf(tokens[r], Math.min(tokens[r].length, lastEos + 1));
        }
        return out;
    }

    /**
     * The vocabulary's name for {@code id}, "value_TYPE" as in the hub's vocab.json (built by the
     * conversion script from the original {@code detokenize}): e.g. 60 + 4 is "60_TOKEN_NOTE".
     */
    public static String tokenName(int id) {
        if (id < 0 || id >= VOCAB_SIZE) throw new IllegalArgumentException("token id " + id);
        if (id >= TIME_OFFSET) return (id - TIME_OFFSET) + "_TOKEN_TIME";
        if (id >= VELOCITY_OFFSET) return (id - VELOCITY_OFFSET) + "_TOKEN_VELOCITY";
        if (id >= NOTE_OFFSET) return (id - NOTE_OFFSET) + "_TOKEN_NOTE";
        return id + "_TOKEN_SPECIAL";
    }

    /** relative_tokens_ids_to_notes for one row: the reference's state machine, step for step. */
    static List<StepNote> decodeRow(int[] row, int rowIndex, int startStep, int cutoffStep) {
        int step = startStep;
        int velocityMode = 0;
        // pending onset step per pitch; the reference's list has one extra slot (129) that no token reaches
        int[] onset = new int[N_PITCHES];
        java.util.Arrays.fill(onset, -1);
        List<StepNote> notes = new ArrayList<>();
        for (int id : row) {
            if (id >= TIME_OFFSET) {
                // QUIRK: relative shift clamped at the row's cutoff; every id >= 134 (also >= 234) is a shift
                step = Math.min(step + (id - TIME_OFFSET), cutoffStep);
            } else if (id >= VELOCITY_OFFSET) {
                velocityMode = id - VELOCITY_OFFSET;
            } else if (id >= NOTE_OFFSET) {
                int pitch = id - NOTE_OFFSET;
                if (onset[pitch] >= 0) {
                    // QUIRK: a pitch whose onset is at the current step ignores the token (no note, no change)
                    if (onset[pitch] < step) {
                        notes.add(new StepNote(rowIndex, onset[pitch], step, pitch, DEFAULT_VELOCITY));
                        // in note-on mode the pitch is re-struck at once; in note-off mode it is released
                        onset[pitch] = velocityMode == 0 ? -1 : step;
                    }
                } else {
                    // QUIRK: opens a note even in note-off mode (a note-off without an onset)
                    onset[pitch] = step;
                }
            } else if (id == EOS) {
                break;
            }
            // PAD (0) and ids 2, 3: nothing
        }
        for (int pitch = 0; pitch < N_PITCHES; pitch++) {
            if (onset[pitch] >= 0) {
                // QUIRK: an open note ends at the later of the clock and the cutoff, and at least one step long
                int offset = Math.max(step, Math.max(cutoffStep, onset[pitch] + 1));
                notes.add(new StepNote(rowIndex, onset[pitch], offset, pitch, DEFAULT_VELOCITY));
            }
        }
        // The reference sorts by onset * 128 + offset, which is (onset, offset) order since 0 < offset - onset
        // <= 12 here. Its argsort is not stable; List.sort is, so ties keep token / pitch order.
        notes.sort(Comparator.comparingInt(StepNote::onsetStep).thenComparingInt(StepNote::offsetStep));
        return notes;
    }

    /**
     * The beat times (seconds) of the half-beat grid behind the notes: every second step of
     * extrapolated_beatstep, shifted like the note times. They run past the audio's last beat by the
     * extrapolated steps, so every decoded note lies inside them.
     */
    public static double[] beatSeconds(float[] extrapolatedBeatstep, float firstBeatSeconds) {
        double[] beats = new double[(extrapolatedBeatstep.length + 1) / 2];
        for (int k = 0; k < beats.length; k++) {
            beats[k] = (extrapolatedBeatstep[2 * k] - extrapolatedBeatstep[0]) + firstBeatSeconds;
        }
        return beats;
    }

    /**
     * The notes on a tempo map whose beats are the song's beats ({@link TempoMap#fromBeatTimes} of
     * {@link #beatSeconds}), so that the written cover lines up with the beats in a DAW. Seconds are kept:
     * only their expression in beats depends on the map.
     */
    public static NoteSequence toNoteSequence(List<DecodedNote> notes, float[] extrapolatedBeatstep, float firstBeatSeconds) {
        return toNoteSequence(notes, TempoMap.fromBeatTimes(beatSeconds(extrapolatedBeatstep, firstBeatSeconds)));
    }

    public static NoteSequence toNoteSequence(List<DecodedNote> notes, TempoMap tempo) {
        List<Note> out = new ArrayList<>(notes.size());
        for (DecodedNote n : notes) {
            double startBeats = tempo.beatsAt(n.startSeconds());
            double endBeats = tempo.beatsAt(n.endSeconds());
            out.add(new Note(n.pitch(), startBeats, Math.max(0, endBeats - startBeats), n.velocity()));
        }
        return new NoteSequence(out, tempo);
    }

    private static float stepSeconds(float[] extrapolatedBeatstep, int step, StepNote n) {
        if (step >= extrapolatedBeatstep.length) {
            throw new IllegalArgumentException("Pop2Piano note at step " + step + " (row " + n.row() + ", pitch " + n.pitch()
                    + ") is past the " + extrapolatedBeatstep.length + " extrapolated beat steps: more rows of tokens than the audio has segments?");
        }
        return extrapolatedBeatstep[step];
    }

    private static void checkIds(int[][] tokens) {
        for (int r = 0; r < tokens.length; r++) {
            for (int c = 0; c < tokens[r].length; c++) {
                int id = tokens[r][c];
                if (id < 0 || id >= VOCAB_SIZE) {
                    throw new IllegalArgumentException("Pop2Piano token id " + id + " at row " + r + ", column " + c
                            + " is outside the vocabulary [0, " + VOCAB_SIZE + ")");
                }
            }
        }
    }
}
