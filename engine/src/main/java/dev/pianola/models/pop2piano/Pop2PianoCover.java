package dev.pianola.models.pop2piano;

import dev.pianola.audio.Audio;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.Progress;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Audio and its beat times in, a piano cover out: the feature extractor, the model's greedy
 * tokens, and the tokenizer's decoding, as Hugging Face's pipeline chains them. The notes come on
 * a tempo map whose beats are the song's beats, so the cover lines up under the song in a DAW.
 *
 * @see Pop2PianoFeatureExtractor
 * @see Pop2PianoModel
 * @see Pop2PianoTokens
 */
public final class Pop2PianoCover {
    private Pop2PianoCover() {}

    /** The cover, with what it took: segments (2-bar rows), generated tokens, and the time of each stage. */
    public record Result(NoteSequence notes, Pop2PianoFeatures features, int[][] tokens,
                         double featuresSeconds, double modelSeconds) {
        /** Tokens the model generated, the decoder-start tokens and the padding after EOS not counted. */
        public int generatedTokens() {
            int n = 0;
            for (int[] row : tokens) {
                for (int c = 1; c < row.length; c++) {
                    n++;
                    if (row[c] == Pop2PianoTokens.EOS) break;
                }
            }
            return n;
        }
    }

    /**
     * Covers {@code audio} (any rate; resampled as the reference does) whose beats fall at
     * {@code beatTimesSeconds}, in the style of {@code composer}. An unknown composer is refused
     * before any work.
     */
    public static Result cover(Pop2PianoModel model, Audio audio, double[] beatTimesSeconds, String composer,
                               int batchRows, BooleanSupplier cancelled, Progress progress) {
        return cover(model, audio, beatTimesSeconds, composer, batchRows, false, cancelled, progress);
    }

    /**
     * As above; {@code rowsWhole} decodes every row whole ({@link Pop2PianoTokens#decodeRowsWhole}),
     * so that a bar's notes do not depend on how many other rows were generated with it.
     */
    public static Result cover(Pop2PianoModel model, Audio audio, double[] beatTimesSeconds, String composer,
                               int batchRows, boolean rowsWhole, BooleanSupplier cancelled, Progress progress) {
        int composerIndex = model.composerIndex(composer);
        long t0 = System.nanoTime();
        Pop2PianoFeatures features = Pop2PianoFeatureExtractor.extract(audio, beatTimesSeconds);
        long t1 = System.nanoTime();
        int[][] tokens = model.generate(features.inputFeatures(), composerIndex, batchRows, cancelled, progress);
        long t2 = System.nanoTime();
        float firstBeat = features.beatsteps()[0];
        List<Pop2PianoTokens.DecodedNote> notes = rowsWhole ? Pop2PianoTokens.decodeRowsWhole(tokens, features.extrapolatedBeatstep(), firstBeat)
                : Pop2PianoTokens.decode(tokens, features.extrapolatedBeatstep(), firstBeat);
        NoteSequence sequence = Pop2PianoTokens.toNoteSequence(notes, features.extrapolatedBeatstep(), firstBeat);
        return new Result(sequence, features, tokens, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
