package dev.pianola.models.basicpitch;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pianola.ModelException;
import dev.pianola.audio.Audio;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.OnnxSessions.Device;
import dev.pianola.runtime.Progress;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import static dev.pianola.models.basicpitch.BasicPitchConstants.*;

/**
 * Spotify's Basic Pitch (ICASSP 2022) on ONNX Runtime: 22050 Hz mono audio in, note / onset /
 * contour posteriorgrams out, windowed exactly as basic-pitch 0.4.0's {@code run_inference}.
 * A loaded model is safe to use from one thread at a time.
 */
public final class BasicPitch implements AutoCloseable {
    /**
     * Windows per ORT run. On 2 CPU threads batches of 2 to 8 windows ran ~15% faster than single
     * windows (29-31 vs 34-36 ms per window); larger batches are what a GPU wants.
     */
    public static final int DEFAULT_BATCH_WINDOWS = 4;

    private final Path file;
    private final OrtSession session;
    private final Device device;
    private final int batchWindows;

    private BasicPitch(Path file, OrtSession session, Device device, int batchWindows) {
        this.file = file;
        this.session = session;
        this.device = device;
        this.batchWindows = batchWindows;
    }

    public static BasicPitch load(Path onnx, Device device) {
        return load(onnx, device, DEFAULT_BATCH_WINDOWS, OnnxSessions.defaultThreads());
    }

    /** Loads {@code onnx} and checks that its graph is Basic Pitch's (names and shapes). */
    public static BasicPitch load(Path onnx, Device device, int batchWindows, int intraOpThreads) {
        if (batchWindows < 1) throw new IllegalArgumentException("batch must be >= 1 window: " + batchWindows);
        OnnxSessions.Opened opened = OnnxSessions.openOn(onnx, device, intraOpThreads);
        OrtSession session = opened.session();
        try {
            long any = OnnxSessions.ANY;
            OnnxSessions.expectInput(session, onnx, INPUT, any, WINDOW_SAMPLES, 1);
            OnnxSessions.expectOutput(session, onnx, OUTPUT_NOTE, any, WINDOW_FRAMES, N_PITCHES);
            OnnxSessions.expectOutput(session, onnx, OUTPUT_ONSET, any, WINDOW_FRAMES, N_PITCHES);
            OnnxSessions.expectOutput(session, onnx, OUTPUT_CONTOUR, any, WINDOW_FRAMES, N_CONTOUR_BINS);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        return new BasicPitch(onnx, session, opened.device(), batchWindows);
    }

    /**
     * How many frames {@link #predict} returns for {@code samples} input samples: floor(samples * 86 /
     * 22050), as basic-pitch 0.4.0's unwrap_output (upstream's older golden files kept
     * int(samples / 36164 * 142) frames, a few more; the frames both keep are the same).
     */
    public static int outputFrames(int samples) {
        return (int) Math.floor(samples * ((double) ANNOTATIONS_FPS / SAMPLE_RATE));
    }

    /** How many windows of {@link BasicPitchConstants#WINDOW_SAMPLES} cover {@code samples} input samples. */
    public static int windowCount(int samples) {
        int padded = LEADING_ZEROS_SAMPLES + samples;
        return (padded + HOP_SAMPLES - 1) / HOP_SAMPLES;
    }

    /**
     * Posteriorgrams of {@code audio}, which must be mono at 22050 Hz (resample it first). Reports
     * progress in seconds of audio heard: 0 before the first run, then after each batch.
     */
    public Posteriorgrams predict(Audio audio, Progress progress) {
        if (audio.sampleRate() != SAMPLE_RATE) {
            throw new IllegalArgumentException("Basic Pitch needs 22050 Hz audio, got " + audio.sampleRate() + " Hz");
        }
        float[] samples = audio.samples();
        int frames = outputFrames(samples.length);
        int windows = windowCount(samples.length);
        float[][] note = new float[frames][];
        float[][] onset = new float[frames][];
        float[][] contour = new float[frames][];
        int keptPerWindow = WINDOW_FRAMES - 2 * TRIM_FRAMES;
        long totalSeconds = Math.round(samples.length / (double) SAMPLE_RATE);
        progress.update(0, totalSeconds, "seconds heard");
        for (int first = 0; first < windows; first += batchWindows) {
            int batch = Math.min(batchWindows, windows - first);
            float[] input = new float[batch * WINDOW_SAMPLES];
            for (int b = 0; b < batch; b++) copyWindow(samples, first + b, input, b * WINDOW_SAMPLES);
            try (OnnxTensor tensor = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(input),
                    new long[]{batch, WINDOW_SAMPLES, 1});
                 OrtSession.Result result = session.run(Map.of(INPUT, tensor))) {
                FloatBuffer noteOut = output(result, OUTPUT_NOTE), onsetOut = output(result, OUTPUT_ONSET);
                FloatBuffer contourOut = output(result, OUTPUT_CONTOUR);
                for (int b = 0; b < batch; b++) {
                    // keep frames 15..156 of each window: the overlap halves belong to the neighbours
                    int firstFrame = (first + b) * keptPerWindow;
                    unwrap(noteOut, N_PITCHES, b, firstFrame, note);
                    unwrap(onsetOut, N_PITCHES, b, firstFrame, onset);
                    unwrap(contourOut, N_CONTOUR_BINS, b, firstFrame, contour);
                }
            } catch (OrtException e) {
                throw new ModelException(file, "inference failed: " + e.getMessage(), e);
            }
            progress.update(Math.min(totalSeconds, Math.round((first + batch) / (double) windows * totalSeconds)), totalSeconds, "seconds heard");
        }
        return new Posteriorgrams(note, onset, contour);
    }

    /** Window {@code w} of the audio with 3840 zeros in front, zero-padded at the end. */
    private static void copyWindow(float[] samples, int w, float[] into, int offset) {
        int start = w * HOP_SAMPLES - LEADING_ZEROS_SAMPLES; // index into the unpadded audio
        for (int i = 0; i < WINDOW_SAMPLES; i++) {
            int s = start + i;
            into[offset + i] = s >= 0 && s < samples.length ? samples[s] : 0f;
        }
    }

    /** A copy of one output of the whole batch, fetched once per run (getFloatBuffer copies). */
    private static FloatBuffer output(OrtSession.Result result, String name) {
        return ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
    }

    private static void unwrap(FloatBuffer out, int columns, int batchIndex, int firstFrame, float[][] into) {
        for (int f = TRIM_FRAMES; f < WINDOW_FRAMES - TRIM_FRAMES; f++) {
            int frame = firstFrame + f - TRIM_FRAMES;
            if (frame >= into.length) return;
            float[] row = new float[columns];
            out.get(((batchIndex * WINDOW_FRAMES) + f) * columns, row);
            into[frame] = row;
        }
    }

    public Path file() {
        return file;
    }

    /** Where the model runs: CPU or CUDA (a requested AUTO resolved). */
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // nothing useful to do when releasing a session fails
        }
    }
}
