package dev.pianola.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.models.pop2piano.Pop2PianoFeatureExtractor;
import dev.pianola.models.pop2piano.Pop2PianoFeatures;
import dev.pianola.models.pop2piano.Pop2PianoModel;
import dev.pianola.models.pop2piano.Pop2PianoTokens;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The Java half of tools/bench/pop2piano_bench.py: Pop2Piano on one song with the package's graphs on
 * the CPU (or {@code --device}: tools/bench/run gpu), timed from outside the model (no hooks in {@link Pop2PianoModel}). Prints one JSON line:
 * <ul>
 *   <li>{@code read_ms}, {@code features_ms}: AudioFiles.read and Pop2PianoFeatureExtractor.extract
 *       given the beat times;</li>
 *   <li>{@code encoder_ms}: the package's encoder session run alone on the same inputs, in the same
 *       chunks of {@code batch_rows} segments as generate runs it (generate runs it too; its own
 *       encoder call is not observable from outside, so this is the same work timed separately);</li>
 *   <li>{@code generate_ms}: Pop2PianoModel.generate (encoder + greedy decoding), and
 *       {@code decode_ms = generate_ms - encoder_ms};</li>
 *   <li>{@code generated_tokens}: the tokens each row holds after its start token up to and including
 *       its EOS (all 255 where there is none): what the model produced, the same count on both sides
 *       when the tokens are equal; {@code row_steps}: rows x decoder steps actually computed (a chunk
 *       steps until all of its rows have ended); {@code tokens_per_s = generated_tokens / decode_ms},
 *       {@code steps_per_s}: decoder steps per second of the batched loop, i.e. per row;</li>
 *   <li>{@code rtf}: (read + features + generate) / audio seconds; model loading is separate
 *       ({@code load_ms});</li>
 *   <li>{@code live}: the first {@code live_segments} segments decoded one at a time (batch 1, as a
 *       live stream must: the next segment's audio has not arrived): decoder steps per second of one
 *       stream, against what keeping up needs;</li>
 *   <li>{@code peak_rss_mib}: VmHWM before the parity check;</li>
 *   <li>{@code parity}: with {@code --fixture}, the fixture's cases (tools/reference/pop2piano_model_fixtures.py
 *       --size full: Hugging Face generate's tokens) rerun from their audio and beat times, row by row.</li>
 * </ul>
 * Not a test: it prints figures and never fails on them.
 *
 * <p>usage: Pop2PianoBench PACKAGE_DIR AUDIO (BEATS_FILE | --bpm BPM) COMPOSER THREADS
 * [--batch-rows N] [--live-segments K] [--fixture model-full.json.gz --corpus DIR --root DIR] [--device cpu|cuda|auto]
 * <br>BEATS_FILE: beat times in seconds, whitespace-separated; --bpm: beats at k * 60 / BPM from 0
 * to the end of the audio.
 */
public final class Pop2PianoBench {
    private Pop2PianoBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path audioFile = Path.of(args[1]);
        int a = 2;
        Double bpm = null;
        Path beatsFile = null;
        if (args[a].equals("--bpm")) {
            bpm = Double.parseDouble(args[a + 1]);
            a += 2;
        } else {
            beatsFile = Path.of(args[a++]);
        }
        String composer = args[a++];
        int threads = Integer.parseInt(args[a++]);
        int batchRows = Pop2PianoModel.DEFAULT_BATCH_ROWS, liveSegments = 2;
        Path fixture = null, corpus = null, root = Path.of(".");
        OnnxSessions.Device device = OnnxSessions.Device.CPU;
        for (; a < args.length; a += 2) {
            switch (args[a]) {
                case "--batch-rows" -> batchRows = Integer.parseInt(args[a + 1]);
                case "--live-segments" -> liveSegments = Integer.parseInt(args[a + 1]);
                case "--fixture" -> fixture = Path.of(args[a + 1]);
                case "--corpus" -> corpus = Path.of(args[a + 1]);
                case "--root" -> root = Path.of(args[a + 1]);
                case "--device" -> device = OnnxSessions.Device.valueOf(args[a + 1].toUpperCase(java.util.Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        System.setProperty("pianola.threads", Integer.toString(threads)); // read by ModelPackage.load below

        Map<String, Object> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (Pop2PianoModel model = Pop2PianoModel.open(dir, device)) {
            out.put("device", model.modelPackage().device().name().toLowerCase(java.util.Locale.ROOT));
            out.put("load_ms", ms(t0));
            int comp = model.composerIndex(composer);

            t0 = System.nanoTime();
            Audio audio = AudioFiles.read(audioFile);
            double readMs = ms(t0);
            double[] beats = beatsFile != null ? readBeats(beatsFile) : grid(bpm, audio.seconds());
            t0 = System.nanoTime();
            Pop2PianoFeatures f = Pop2PianoFeatureExtractor.extract(audio, beats);
            double featuresMs = ms(t0);
            float[][][] x = f.inputFeatures();

            encode(model, Arrays.copyOfRange(x, 0, 1), comp, 1); // warm-up: first-run allocations
            t0 = System.nanoTime();
            encode(model, x, comp, batchRows);
            double encoderMs = ms(t0);
            t0 = System.nanoTime();
            int[][] tokens = model.generate(x, comp, batchRows, () -> false, Progress.NONE);
            double generateMs = ms(t0);
            double decodeMs = generateMs - encoderMs;
            long generated = generatedTokens(tokens);
            long[] steps = loopSteps(tokens, batchRows);

            out.put("audio_seconds", audio.seconds());
            out.put("sample_rate", audio.sampleRate());
            out.put("beats", beats.length);
            out.put("segments", f.segments());
            out.put("frames", f.frames());
            out.put("batch_rows", batchRows);
            out.put("threads", threads);
            out.put("read_ms", readMs);
            out.put("features_ms", featuresMs);
            out.put("encoder_ms", encoderMs);
            out.put("generate_ms", generateMs);
            out.put("decode_ms", decodeMs);
            out.put("generated_tokens", generated);
            out.put("row_steps", steps[0]);
            out.put("loop_steps", steps[1]);
            out.put("tokens_per_s", generated / (decodeMs / 1e3));
            out.put("row_steps_per_s", steps[0] / (decodeMs / 1e3));
            out.put("steps_per_s", steps[1] / (decodeMs / 1e3));
            double computeMs = readMs + featuresMs + generateMs;
            out.put("compute_s", computeMs / 1e3);
            out.put("rtf", computeMs / 1e3 / audio.seconds());

            // live: one segment at a time
            int k = Math.min(liveSegments, x.length);
            double liveEnc = 0, liveGen = 0;
            long liveSteps = 0;
            for (int s = 0; s < k; s++) {
                float[][][] one = Arrays.copyOfRange(x, s, s + 1);
                t0 = System.nanoTime();
                encode(model, one, comp, 1);
                liveEnc += ms(t0);
                t0 = System.nanoTime();
                int[][] row = model.generate(one, comp, 1, () -> false, Progress.NONE);
                liveGen += ms(t0);
                liveSteps += row[0].length - 1;
                if (!Arrays.equals(row[0], 0, row[0].length, tokens[s], 0, row[0].length)) {
                    out.put("live_row_differs_from_batched", s);
                }
            }
            Map<String, Object> live = new LinkedHashMap<>();
            live.put("segments", k);
            live.put("encoder_ms", liveEnc);
            live.put("decode_ms", liveGen - liveEnc);
            live.put("steps", liveSteps);
            live.put("steps_per_s", liveSteps / ((liveGen - liveEnc) / 1e3));
            out.put("live", live);
            out.put("peak_rss_mib", TokenClock.peakRssMib());
            out.put("tokens", tokens);
            if (fixture != null) out.put("parity", parity(model, fixture, corpus, root));
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    /** The encoder graph alone on the inputs generate gives it: composer row, all-ones mask, chunks of batchRows. */
    static void encode(Pop2PianoModel model, float[][][] x, int composerIndex, int batchRows) throws OrtException {
        OrtSession encoder = model.modelPackage().session(Pop2PianoModel.ENCODER);
        OrtEnvironment env = OnnxSessions.environment();
        int frames = x[0].length, d = x[0][0].length;
        for (int from = 0; from < x.length; from += batchRows) {
            int b = Math.min(x.length, from + batchRows) - from;
            FloatBuffer in = FloatBuffer.allocate(b * frames * d);
            for (int s = from; s < from + b; s++) for (float[] frame : x[s]) in.put(frame);
            in.flip();
            long[] comp = new long[b];
            Arrays.fill(comp, composerIndex);
            long[] ones = new long[b * (frames + 1)];
            Arrays.fill(ones, 1);
            try (OnnxTensor f = OnnxTensor.createTensor(env, in, new long[] {b, frames, d});
                 OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(comp), new long[] {b});
                 OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), new long[] {b, frames + 1});
                 OrtSession.Result r = encoder.run(Map.of("input_features", f, "composer_index", c, "attention_mask", m))) {
                r.get(0); // the hidden states exist; nothing to copy out
            }
        }
    }

    /** Tokens after the start token up to and including EOS (all of them in a row without EOS). */
    static long generatedTokens(int[][] rows) {
        long n = 0;
        for (int[] r : rows) n += rowLength(r) - 1;
        return n;
    }

    /** Length of a row as generated: through its EOS, else all of it. */
    static int rowLength(int[] r) {
        for (int i = 1; i < r.length; i++) if (r[i] == Pop2PianoTokens.EOS) return i + 1;
        return r.length;
    }

    /**
     * {rows x steps, steps} that generate's loop ran: each chunk of batchRows steps until its longest
     * row ends (a chunk without EOS in some row runs to max length).
     */
    static long[] loopSteps(int[][] rows, int batchRows) {
        long rowSteps = 0, steps = 0;
        for (int from = 0; from < rows.length; from += batchRows) {
            int to = Math.min(rows.length, from + batchRows), longest = 1;
            for (int r = from; r < to; r++) longest = Math.max(longest, rowLength(rows[r]));
            rowSteps += (long) (to - from) * (longest - 1);
            steps += longest - 1;
        }
        return new long[] {rowSteps, steps};
    }

    static double[] readBeats(Path file) throws IOException {
        String text = Files.readString(file).trim();
        return text.isEmpty() ? new double[0] : Arrays.stream(text.split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }

    static double[] grid(double bpm, double seconds) {
        List<Double> b = new ArrayList<>();
        for (int k = 0; k * 60.0 / bpm < seconds; k++) b.add(k * 60.0 / bpm);
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A row without the PAD tail after its EOS (the start token, also 0, stays). */
    static int[] unpadded(int[] row) {
        int n = row.length;
        while (n > 1 && row[n - 1] == Pop2PianoTokens.PAD) n--;
        return Arrays.copyOf(row, n);
    }

    static int[] unpadded(JsonNode row) {
        int[] r = new int[row.size()];
        for (int i = 0; i < r.length; i++) r[i] = row.get(i).asInt();
        return unpadded(r);
    }

    /** Every fixture case and composer rerun from its audio and beat times; tokens compared row by row. */
    static Map<String, Object> parity(Pop2PianoModel model, Path fixture, Path corpus, Path root) throws IOException {
        JsonNode doc;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(fixture))) {
            doc = new ObjectMapper().readTree(in);
        }
        int rows = 0, equal = 0;
        List<String> differences = new ArrayList<>();
        for (JsonNode c : doc.get("cases")) {
            String file = c.get("file").asText();
            Path path = file.startsWith("corpus/") ? corpus.resolve("audio").resolve(file.substring(7)) : root.resolve(file);
            Audio full = AudioFiles.read(path);
            Audio audio = new Audio(Arrays.copyOf(full.samples(), c.get("samples").asInt()), full.sampleRate());
            JsonNode bt = c.get("beat_times");
            double[] beats = new double[bt.size()];
            for (int i = 0; i < beats.length; i++) beats[i] = bt.get(i).asDouble();
            float[][][] x = Pop2PianoFeatureExtractor.extract(audio, beats).inputFeatures();
            for (JsonNode g : c.get("generations")) {
                String composer = g.get("composer").asText();
                int[][] mine = model.generate(x, model.composerIndex(composer), Pop2PianoModel.DEFAULT_BATCH_ROWS, () -> false, Progress.NONE);
                JsonNode ref = g.get("tokens");
                if (mine.length != ref.size()) {
                    differences.add(c.get("name").asText() + " " + composer + ": " + mine.length + " rows, reference " + ref.size());
                }
                for (int r = 0; r < Math.min(mine.length, ref.size()); r++) {
                    rows++;
                    // rows are padded with PAD to the longest of their batch: compare what each row generated
                    int[] want = unpadded(ref.get(r)), got = unpadded(mine[r]);
                    int first = Arrays.mismatch(want, got);
                    if (first < 0) {
                        equal++;
                    } else {
                        differences.add(c.get("name").asText() + " " + composer + " row " + r + ": first difference at position "
                                + first + " (reference " + (first < want.length ? want[first] : "end")
                                + ", Java " + (first < got.length ? got[first] : "end") + ")");
                    }
                }
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("rows", rows);
        p.put("equal", equal);
        p.put("differences", differences);
        return p;
    }
}
