package dev.pianola.render;

import com.sun.media.sound.AudioSynthesizer;
import com.sun.media.sound.ModelPatch;
import com.sun.media.sound.SoftSynthesizer;
import dev.pianola.BadInputException;
import dev.pianola.PianolaException;
import dev.pianola.audio.Audio;
import dev.pianola.io.AtomicFiles;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sound.midi.Instrument;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Patch;
import javax.sound.midi.Receiver;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Soundbank;
import javax.sound.midi.Synthesizer;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Renders MIDI to audio offline, faster than real time, through Java's software synthesizer
 * (Gervill) playing a SoundFont. Every channel and program of the file is played, tempo changes
 * are honoured, and a release tail follows the last event.
 *
 * <p>SoundFont: an explicit path, else the first found by {@link SoundFonts#find()}
 * ({@code $PIANOLA_SOUNDFONT}, then the system's General MIDI bank). When none is found the
 * renderer falls back to Gervill's built-in bank (a small synthesised General MIDI set) and logs a
 * warning: it works, but sounds much poorer.
 *
 * <p>The offline path ({@code AudioSynthesizer.openStream}) lives in {@code com.sun.media.sound},
 * which java.desktop does not export: the JVM must run with
 * {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED}. The engine jar's manifest
 * carries {@code Add-Exports} for {@code java -jar}, and the build passes it to javac and the tests.
 *
 * <p>Audio is rendered as 32-bit float, so nothing clips inside; peaks above the ceiling (-0.1 dBFS)
 * are normalised down before the result is returned, or the whole render is brought to a target
 * peak ({@link Options#peakDbfs}: a preview as loud as the next one, whatever the SoundFont's level). {@link #renderToWav} streams to the file in
 * bounded memory; {@link #render} holds the result in memory. Both refuse music longer than
 * {@link #MAX_SECONDS}. One instance can render many times.
 */
public final class MidiRenderer {
    /**
     * How to render: output rate, mono (the average of left and right) or stereo, release tail after
     * the last event, and the peak to bring the whole render to ({@code peakDbfs}; NaN: as the
     * SoundFont plays it, only peaks above {@link #CEILING} brought down), and the most audio to write
     * ({@code maxSeconds}; NaN: all of it, tail included).
     */
    public record Options(int sampleRate, boolean mono, double tailSeconds, double peakDbfs, double maxSeconds) {
        public static final int DEFAULT_SAMPLE_RATE = 44100;
        public static final double DEFAULT_TAIL_SECONDS = 2.0;
        public static final Options DEFAULT = new Options(DEFAULT_SAMPLE_RATE, false, DEFAULT_TAIL_SECONDS, Double.NaN, Double.NaN);

        public Options {
            if (sampleRate < 8000 || sampleRate > 192000) throw new BadInputException("sample rate must be 8000..192000 Hz, got " + sampleRate);
            if (!(tailSeconds >= 0) || tailSeconds > 60) throw new BadInputException("release tail must be 0..60 s, got " + tailSeconds);
            if (!Double.isNaN(peakDbfs) && !(peakDbfs >= -60 && peakDbfs <= -0.1)) throw new BadInputException("peak must be -60..-0.1 dBFS, got " + peakDbfs);
            if (!Double.isNaN(maxSeconds) && !(maxSeconds > 0)) throw new BadInputException("the most audio to write must be more than 0 s, got " + maxSeconds);
        }

        public Options withSampleRate(int hz) { return new Options(hz, mono, tailSeconds, peakDbfs, maxSeconds); }
        public Options withMono(boolean m) { return new Options(sampleRate, m, tailSeconds, peakDbfs, maxSeconds); }
        public Options withTailSeconds(double s) { return new Options(sampleRate, mono, s, peakDbfs, maxSeconds); }
        public Options withPeakDbfs(double dbfs) { return new Options(sampleRate, mono, tailSeconds, dbfs, maxSeconds); }
        public Options withMaxSeconds(double s) { return new Options(sampleRate, mono, tailSeconds, peakDbfs, s); }

        boolean normalises() {
            return !Double.isNaN(peakDbfs);
        }

        /** The gain that brings {@code peak} to the target peak, or below the ceiling when there is no target. */
        float gainFor(float peak) {
            // a near-silent render is not blown up into noise: at most MAX_GAIN_DB louder
            if (normalises()) return peak > 0 ? (float) Math.min(Math.pow(10, peakDbfs / 20) / peak, Math.pow(10, MAX_GAIN_DB / 20)) : 1f;
            return peak > CEILING ? CEILING / peak : 1f;
        }
    }

    /** The most a preview is made louder to reach its peak target. */
    public static final double MAX_GAIN_DB = 40;

    /** Peaks above this (-0.1 dBFS) are scaled down to it. */
    public static final float CEILING = (float) Math.pow(10, -0.1 / 20);

    /**
     * Longest music (last event, before the release tail) a render accepts: 2 hours. Longer is
     * almost always a stray event far past the end (a 47-byte file can hold one note 10 hours in),
     * and it would take hours of synthesis and gigabytes of WAV; crop it with --max-seconds.
     */
    public static final double MAX_SECONDS = 2 * 3600;

    private static final Logger LOG = LoggerFactory.getLogger(MidiRenderer.class);
    /** Events are handed to the synthesizer this far ahead of the audio being pulled, so none is late. */
    private static final long LOOKAHEAD_MICROS = 200_000;

    private final Soundbank bank;      // null: Gervill's built-in bank
    private final Path soundFont;      // null with the built-in bank

    private MidiRenderer(Soundbank bank, Path soundFont) {
        this.bank = bank;
        this.soundFont = soundFont;
    }

    /**
     * A renderer playing {@code soundFont}, or when it is null the first SoundFont found by
     * {@link SoundFonts#find()}, or when none is found Gervill's built-in bank (with a warning).
     *
     * <p>Opening validates the SoundFont fully ({@link SoundFonts#load}) and quickly (about half a
     * second for a 148 MB General MIDI bank), and renders nothing. So a command that renders at the
     * end of long work (a transcription, say) should open its renderer first, to refuse a missing
     * or corrupt {@code --soundfont} at once, and keep it: an instance is immutable and renders any
     * number of times (one render at a time). Keep the SoundFont file in place meanwhile: sample
     * data is read from it while rendering.
     *
     * @throws BadInputException when the named SoundFont is missing, unsupported or corrupt
     */
    public static MidiRenderer open(Path soundFont) {
        requireSynthesizerAccess();
        if (soundFont != null) return new MidiRenderer(SoundFonts.load(soundFont), soundFont);
        Optional<Path> found = SoundFonts.find();
        if (found.isPresent()) {
            LOG.debug("SoundFont: {}", found.get());
            return new MidiRenderer(SoundFonts.load(found.get()), found.get());
        }
        LOG.warn("no SoundFont found (set ${} or install fluid-soundfont-gm); using Java's built-in sounds, which are much poorer",
                SoundFonts.ENV);
        return new MidiRenderer(null, null);
    }

    /** The SoundFont in use; empty when playing Gervill's built-in bank. */
    public Optional<Path> soundFont() {
        return Optional.ofNullable(soundFont);
    }

    /** Mono audio at {@code sampleRate}, for analysis (e.g. rendering a MIDI file to test transcription). */
    public Audio renderMono(Sequence seq, int sampleRate) {
        return render(seq, Options.DEFAULT.withSampleRate(sampleRate).withMono(true), Progress.NONE).toMono();
    }

    /** Notes written as {@link MidiFiles#toSequence} writes them (piano on every channel but drums), rendered mono. */
    public Audio renderMono(NoteSequence notes, int sampleRate) {
        return renderMono(MidiFiles.toSequence(notes, MidiFiles.WriteOptions.PIANO), sampleRate);
    }

    public RenderedAudio render(NoteSequence notes, Options options, Progress progress) {
        return render(MidiFiles.toSequence(notes, MidiFiles.WriteOptions.PIANO), options, progress);
    }

    /** Renders a whole sequence into memory; progress counts output frames. See {@link #render(Sequence, Path, Options, Progress)}. */
    public RenderedAudio render(Sequence seq, Options options, Progress progress) {
        return render(seq, null, options, progress);
    }

    /**
     * Renders a whole sequence into memory, peak-normalised to {@link #CEILING}; progress counts
     * output frames. Memory: 4 bytes per sample of the result (at most about 1.3 GB for
     * {@link #MAX_SECONDS} of stereo at 44.1 kHz); to write a file use {@link #renderToWav}, which
     * streams.
     *
     * @param source the MIDI file the sequence came from, named in errors; null when there is none
     * @throws BadInputException when the music lasts longer than {@link #MAX_SECONDS}
     */
    public RenderedAudio render(Sequence seq, Path source, Options options, Progress progress) {
        Plan plan = plan(seq, source, options);
        int frames = Math.toIntExact(plan.frames()); // MAX_SECONDS at 192 kHz is 1.4e9 frames: fits
        float[][] out = new float[options.mono() ? 1 : 2][frames];
        play(plan, options, (block, offsetFrames, n) -> {
            for (int c = 0; c < out.length; c++) System.arraycopy(block[c], 0, out[c], (int) offsetFrames, n);
        }, progress, "seconds rendered");
        return normalised(new RenderedAudio(out, options.sampleRate()), options);
    }

    /** As {@link #renderToWav(Sequence, Path, Path, Options, WavWriter.Depth, boolean, Progress)} with no source file to name in errors. */
    public double renderToWav(Sequence seq, Path wav, Options options, WavWriter.Depth depth, boolean force, Progress progress) {
        return renderToWav(seq, null, wav, options, depth, force, progress);
    }

    /**
     * Renders and writes a WAV file, streaming: audio goes from the synthesizer to the file block by
     * block, so memory stays small (a few blocks) however long the music is. The --force rule is
     * checked before rendering starts, and the file appears atomically when it is complete.
     *
     * <p>Level: the result is exactly what {@link #render} followed by {@link WavWriter#write} would
     * give, peak-normalised to {@link #CEILING} when (and only when) the peak is above it. The gain
     * for that depends on the whole signal, which a stream does not have; a limiter would change
     * the sound of every loud passage and break bit-for-bit reproducibility of renders that never
     * clipped. So the first pass writes at full gain while it measures the peak; in the common case
     * that nothing is above the ceiling, that file is the result. Otherwise the synthesizer (which
     * is deterministic) plays the sequence again and the second pass writes it at the one gain
     * that brings the peak to the ceiling. Loud files cost twice the render time, never more memory.
     *
     * @param source the MIDI file the sequence came from, named in errors; null when there is none
     * @return the seconds of audio written (the file's length)
     * @throws BadInputException when the music lasts longer than {@link #MAX_SECONDS}, or would not fit in a WAV file
     */
    public double renderToWav(Sequence seq, Path source, Path wav, Options options, WavWriter.Depth depth, boolean force, Progress progress) {
        AtomicFiles.checkWritable(wav, force);
        Plan plan = plan(seq, source, options);
        int channels = options.mono() ? 1 : 2;
        WavWriter.checkFits(wav, plan.frames(), channels, options.sampleRate(), depth);
        if (options.normalises()) {
            // the gain depends on the whole render's peak: one pass measures it, the next writes
            float[] peak = {0};
            play(plan, options, (block, offsetFrames, n) -> {
                for (int c = 0; c < channels; c++) for (int i = 0; i < n; i++) peak[0] = Math.max(peak[0], Math.abs(block[c][i]));
            }, progress, "seconds measured (the level)");
            writeWav(plan, wav, options, depth, force, false, options.gainFor(peak[0]), progress, "seconds rendered");
            return plan.frames() / (double) options.sampleRate();
        }
        try {
            writeWav(plan, wav, options, depth, force, true, 1f, progress, "seconds rendered");
        } catch (Clipped clipped) {
            float gain = CEILING / clipped.peak;
            // INFO only when the second pass costs a noticeable wait (its progress bar starts again);
            // a short file's second pass is over before anyone could wonder
            boolean noticeable = plan.frames() > NOTICEABLE_SECOND_PASS_SECONDS * options.sampleRate();
            LOG.atLevel(noticeable ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                    .log("{}: peak {} dBFS; rendering again {} dB quieter so that nothing clips", wav,
                    String.format(Locale.ROOT, "%+.2f", 20 * Math.log10(clipped.peak)),
                    String.format(Locale.ROOT, "%.2f", -20 * Math.log10(gain)));
            writeWav(plan, wav, options, depth, force, false, gain, progress, "seconds rendered (again, quieter)");
        }
        return plan.frames() / (double) options.sampleRate();
    }

    /** Audio at least this long makes a second pass worth an INFO line. */
    private static final double NOTICEABLE_SECOND_PASS_SECONDS = 300;

    /** Thrown out of the first pass to abandon its temporary file when the peak is above the ceiling. */
    private static final class Clipped extends RuntimeException {
        final float peak;

        Clipped(float peak) {
            super(null, null, false, false);
            this.peak = peak;
        }
    }

    /**
     * One pass: header, then every block scaled by {@code gain} and converted to PCM. The first pass
     * (full gain) throws {@link Clipped} at the end when the peak was above the ceiling;
     * from the first sample above it on, nothing more is converted or written, only measured.
     */
    private void writeWav(Plan plan, Path wav, Options options, WavWriter.Depth depth, boolean force, boolean firstPass, float gain,
                          Progress progress, String what) {
        int channels = options.mono() ? 1 : 2;
        AtomicFiles.write(wav, force, out -> {
            WavWriter.writeHeader(out, options.sampleRate(), channels, depth, plan.frames());
            byte[] pcm = new byte[blockFrames(options.sampleRate()) * channels * depth.bits / 8];
            float[] peak = {0};
            play(plan, options, (block, offsetFrames, n) -> {
                for (int c = 0; c < channels; c++) {
                    float[] x = block[c];
                    for (int i = 0; i < n; i++) {
                        if (!firstPass) x[i] *= gain; // as normalised() does it, so the samples are the same
                        peak[0] = Math.max(peak[0], Math.abs(x[i]));
                    }
                }
                if (firstPass && peak[0] > CEILING) return; // this pass's file will be thrown away
                out.write(pcm, 0, WavWriter.encode(block, 0, n, depth, pcm));
            }, progress, what);
            if (firstPass && peak[0] > CEILING) throw new Clipped(peak[0]);
        });
    }

    /** What a render will play: the timed events and how many output frames it takes. */
    private record Plan(Sequence seq, List<Timed> events, long frames) {}

    private Plan plan(Sequence seq, Path source, Options options) {
        List<Timed> events = timedEvents(seq);
        long lastMicros = events.isEmpty() ? 0 : events.get(events.size() - 1).micros();
        if (events.isEmpty()) LOG.warn("{}nothing to play: the MIDI sequence has no channel events", source != null ? source + ": " : "");
        if (lastMicros > MAX_SECONDS * 1e6) {
            // checked before anything is allocated or played: a tiny file can name a time hours away
            String problem = "lasts " + hms(lastMicros / 1e6) + "; Pianola renders at most " + hms(MAX_SECONDS) + " (use --max-seconds)";
            throw source != null ? new BadInputException(source, problem) : new BadInputException("the MIDI sequence " + problem);
        }
        long frames = (long) Math.ceil((lastMicros / 1e6 + options.tailSeconds()) * options.sampleRate());
        if (!Double.isNaN(options.maxSeconds())) frames = Math.min(frames, Math.round(options.maxSeconds() * options.sampleRate()));
        return new Plan(seq, events, frames);
    }

    /** h:mm:ss, whole seconds rounded down. */
    static String hms(double seconds) {
        long s = (long) Math.floor(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    private static int blockFrames(int rate) {
        return Math.max(256, rate / 20);
    }

    /** Receives the rendered audio block by block; {@code block[c]} holds {@code frames} samples of channel c (its contents may be changed). */
    @FunctionalInterface
    private interface BlockSink {
        void accept(float[][] block, long offsetFrames, int frames) throws IOException;
    }

    /** Plays the plan through a fresh synthesizer, handing each block of output frames to the sink; progress counts frames. */
    private void play(Plan plan, Options options, BlockSink sink, Progress progress, String what) {
        List<Timed> events = plan.events();
        long totalFrames = plan.frames();
        int rate = options.sampleRate();
        long started = System.nanoTime();
        SoftSynthesizer synth = new SoftSynthesizer();
        try (AudioInputStream stream = openStream(synth, rate, plan.seq())) {
            Receiver receiver = synth.getReceiver();
            int blockFrames = blockFrames(rate);
            byte[] bytes = new byte[blockFrames * 8];
            FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[][] block = new float[options.mono() ? 1 : 2][blockFrames];
            int next = 0;
            for (long done = 0; done < totalFrames; ) {
                int frames = (int) Math.min(blockFrames, totalFrames - done);
                long untilMicros = (long) ((done + frames) * 1e6 / rate) + LOOKAHEAD_MICROS;
                for (; next < events.size() && events.get(next).micros() < untilMicros; next++) {
                    receiver.send(events.get(next).message(), events.get(next).micros());
                }
                int read = stream.readNBytes(bytes, 0, frames * 8);
                if (read != frames * 8) throw new IOException("synthesizer stream ended early");
                if (options.mono()) {
                    float[] m = block[0];
                    for (int i = 0; i < frames; i++) {
                        // the same float operations, in the same order, as RenderedAudio.toMono: renders stay bit for bit
                        float v = 0f;
                        v += floats.get(2 * i);
                        v += floats.get(2 * i + 1);
                        m[i] = v * 0.5f;
                    }
                } else {
                    for (int i = 0; i < frames; i++) {
                        block[0][i] = floats.get(2 * i);
                        block[1][i] = floats.get(2 * i + 1);
                    }
                }
                sink.accept(block, done, frames);
                done += frames;
                // in the musician's words: seconds of music, not sample frames
                progress.update(done / options.sampleRate(), totalFrames / options.sampleRate(), what);
            }
        } catch (IOException | MidiUnavailableException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, "the software synthesizer failed: " + e.getMessage(), e);
        } finally {
            synth.close();
        }
        double took = (System.nanoTime() - started) / 1e9;
        LOG.debug("rendered {} s of audio in {} s", String.format(Locale.ROOT, "%.1f", totalFrames / (double) rate),
                String.format(Locale.ROOT, "%.1f", took));
    }

    /** Scales the audio to the options' peak, else down when its peak is above {@link #CEILING} (quieter audio is left alone). */
    static RenderedAudio normalised(RenderedAudio audio, Options options) {
        float peak = audio.peak();
        float gain = options.gainFor(peak);
        if (gain == 1f) return audio;
        // debug only: in-memory renders feed analysis, where the level is no news to anyone
        LOG.debug("peak {} dBFS: scaled by {} dB", String.format(Locale.ROOT, "%+.2f", 20 * Math.log10(peak)),
                String.format(Locale.ROOT, "%+.2f", 20 * Math.log10(gain)));
        for (float[] c : audio.channels()) {
            for (int i = 0; i < c.length; i++) c[i] *= gain;
        }
        return audio;
    }

    private AudioInputStream openStream(SoftSynthesizer synth, int rate, Sequence seq) throws MidiUnavailableException {
        AudioFormat format = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, rate, 32, 2, 8, rate, false);
        Map<String, Object> info = new HashMap<>();
        info.put("load default soundbank", bank == null);
        info.put("max polyphony", 256);  // dense piano with pedal and full-band files exceed the default 64
        info.put("interpolation", "cubic");
        AudioSynthesizer audioSynth = synth;
        AudioInputStream stream = audioSynth.openStream(format, info);
        if (bank != null) loadInstrumentsFor(synth, seq);
        return stream;
    }

    /**
     * Loads only the SoundFont's instruments for the programs the sequence uses (any bank, so the
     * synthesizer's bank fallback still finds them): loading a whole General MIDI bank takes seconds.
     */
    private void loadInstrumentsFor(Synthesizer synth, Sequence seq) {
        Set<Integer> melodic = new HashSet<>(Set.of(0)), drums = new HashSet<>(Set.of(0));
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                if (track.get(i).getMessage() instanceof ShortMessage sm && sm.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                    (sm.getChannel() == MidiFiles.DRUM_CHANNEL ? drums : melodic).add(sm.getData1());
                }
            }
        }
        int loaded = 0;
        for (Instrument inst : bank.getInstruments()) {
            Patch patch = inst.getPatch();
            boolean percussion = patch instanceof ModelPatch mp && mp.isPercussion();
            if ((percussion ? drums : melodic).contains(patch.getProgram()) && synth.loadInstrument(inst)) loaded++;
        }
        if (loaded == 0) LOG.warn("{}: none of the sequence's programs are in this SoundFont; it may play silently", soundFont);
    }

    /** A channel message (or SysEx) at its time in microseconds from the start. */
    record Timed(long micros, MidiMessage message) {}

    /** Every non-meta event of every track, in time order (ties: track, then position in track), tempo map applied. */
    static List<Timed> timedEvents(Sequence seq) {
        List<MidiFiles.TrackEvent> all = MidiFiles.eventsInTimeOrder(seq);

        boolean ppq = seq.getDivisionType() == Sequence.PPQ;
        double ticksPerBeat = seq.getResolution();
        double ticksPerSecond = seq.getDivisionType() * seq.getResolution(); // SMPTE: ticks are real time
        if (!(ppq ? ticksPerBeat > 0 : ticksPerSecond > 0)) throw new BadInputException("MIDI sequence has zero time division");
        TempoMap tempo = MidiFiles.tempoMap(seq); // the same map every other reader of the file uses
        List<Timed> timed = new ArrayList<>();
        for (MidiFiles.TrackEvent e : all) {
            if (e.msg() instanceof MetaMessage) continue;
            double seconds = ppq ? tempo.secondsAt(e.tick() / ticksPerBeat) : e.tick() / ticksPerSecond;
            timed.add(new Timed(Math.round(seconds * 1e6), e.msg()));
        }
        return timed;
    }

    /** Fails with one clear line, instead of an IllegalAccessError deep inside, when the JVM lacks the export. */
    private static void requireSynthesizerAccess() {
        if (!Synthesizer.class.getModule().isExported("com.sun.media.sound", MidiRenderer.class.getModule())) {
            throw new PianolaException(PianolaException.EXIT_OTHER,
                    "rendering needs the JVM option --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED"
                            + " (run the jar with java -jar, whose manifest sets it, or pass the option)");
        }
    }
}
