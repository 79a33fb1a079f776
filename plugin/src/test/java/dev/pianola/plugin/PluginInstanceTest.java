package dev.pianola.plugin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * PluginInstance on rings formatted as the shim formats them, with the test in the shim's place:
 * it writes input records byte for byte as pianola_lv2.c does (PnInputRecord, 32 bytes), waits
 * for {@code processed} after each block as run() does while freewheeling, and reads the note
 * ring's 16-byte records as scheduler.c does. The Java side is the real one: LiveSession, the
 * Continuator, its InferenceWorker.
 */
class PluginInstanceTest {
    static final double RATE = 48000, FRAMES_PER_BEAT = 24000; // 120 BPM
    static final int BLOCK_FRAMES = 1024;
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20); // a bound for a loaded machine, not a timing check

    private final ByteBuffer input = ShimMemory.ring(4096, PluginInstance.INPUT_RECORD);
    private final ByteBuffer notes = ShimMemory.ring(4096, PluginInstance.NOTE_RECORD);
    private final ByteBuffer control = ShimMemory.control();
    /** The audio ring (float samples); these tests send no audio: their BLOCK records say so. */
    private final ByteBuffer audio = ShimMemory.ring(1 << 16, PluginInstance.AUDIO_RECORD);
    private PluginInstance instance;
    private long frame;

    /** A note record as the shim reads it. */
    record Note(double beat, int status, int key, int velocity, int flags, int epoch) {
        boolean on() { return (status & 0xF0) == 0x90 && velocity > 0; }
    }

    @AfterEach
    void close() throws InterruptedException {
        if (instance != null) assertTrue(instance.close(5000), "the instance thread stops");
    }

    @Test
    void parametersMidiTransportAndBlocksDecodeIntoAnAnswer() {
        instance = PluginInstance.start(1, input, notes, audio, control, RATE, "/nowhere");
        // the shim's resync: BLOCK (epoch), TRANSPORT (rolling, grid, resync), every parameter
        int epoch = 2;
        block(0, epoch, 0);
        transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | 16, 4, 120);
        parameter(PluginParameter.ENGINE.id, 0);
        parameter(PluginParameter.ANSWER_BARS.id, 1);
        parameter(PluginParameter.SILENCE_BEATS.id, 1);
        parameter(PluginParameter.EVERY_BAR.id, 0);
        parameter(PluginParameter.TEMPERATURE.id, 1);
        parameter(PluginParameter.KEY_LOCK.id, 1);
        parameter(PluginParameter.VELOCITY_SCALE.id, 0.5f);
        parameter(PluginParameter.FOLLOW.id, 0);
        parameter(PluginParameter.FREE_WHEELING.id, 1);
        parameter(PluginParameter.START_ON.id, 1); // next beat
        // C D E F G, a beat apart, half a beat long, velocity 100 on channel 2: released at 4.5,
        // one beat of silence ends the phrase at 5.5, so the answer starts on beat 6 for one bar
        List<double[]> midi = new ArrayList<>();
        int[] keys = {60, 62, 64, 65, 67};
        for (int i = 0; i < keys.length; i++) {
            midi.add(new double[] {i, 0x91, keys[i], 100});
            midi.add(new double[] {i + 0.5, 0x81, keys[i], 0});
        }
        List<Note> out = play(midi, 14, epoch);

        assertEquals(PluginInstance.STATUS_OK, control.getInt(PluginInstance.CONTROL_STATUS), "status");
        List<Note> ons = out.stream().filter(Note::on).toList();
        assertFalse(ons.isEmpty(), "an answer came: " + out);
        assertEquals(6.0, ons.get(0).beat(), 1e-9, "start_on = next beat: the answer starts on beat 6, not on the bar line at 8");
        for (Note n : out) {
            assertTrue(n.beat() >= 6 - 1e-9 && n.beat() <= 10 + 1e-9, "answer_bars = 1: every event within beats 6..10: " + n);
            assertEquals(epoch, n.epoch(), "each note carries the epoch of the BLOCK records: " + n);
            assertEquals(0, n.flags(), n.toString());
            assertTrue((n.status() & 0xF0) == 0x80 || (n.status() & 0xF0) == 0x90, "a note message: " + n);
        }
        // velocity_scale = 0.5 on a phrase played at 100
        for (Note n : ons) assertTrue(n.velocity() <= 60, "velocity scaled by 0.5: " + n);
        assertEquals(frame, (long) SharedRing.LONGS.getAcquire(control, PluginInstance.CONTROL_PROCESSED), "processed is the last block's end");
    }

    @Test
    void theBarIsTheDefaultStartAndADroppedTransportMovesTheEpoch() {
        instance = PluginInstance.start(2, input, notes, audio, control, RATE, "/nowhere");
        block(0, 0, 0);
        transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | 16, 4, 120);
        parameter(PluginParameter.FREE_WHEELING.id, 1);
        parameter(PluginParameter.START_ON.id, 0); // next bar
        // a drop before the phrase: the TRANSPORT record's dropped flag moves Java's epoch to 1,
        // and the BLOCK records after it say 1 as well
        transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | PluginInstance.TR_DROPPED, 4, 120);
        List<double[]> midi = new ArrayList<>();
        int[] keys = {60, 62, 64, 65, 67};
        for (int i = 0; i < keys.length; i++) {
            midi.add(new double[] {i, 0x91, keys[i], 100});
            midi.add(new double[] {i + 0.5, 0x81, keys[i], 0});
        }
        List<Note> out = play(midi, 20, 1);
        List<Note> ons = out.stream().filter(Note::on).toList();
        assertFalse(ons.isEmpty(), "an answer came");
        // defaults otherwise: 2 beats of silence end the phrase at 6.5, the answer is 2 bars from beat 8
        assertEquals(8.0, ons.get(0).beat(), 1e-9, "start_on = next bar");
        assertTrue(out.stream().allMatch(n -> n.beat() >= 8 - 1e-9 && n.beat() <= 16 + 1e-9), "2 bars: " + out);
        assertTrue(out.stream().allMatch(n -> n.epoch() == 1), "epoch 1 on every note: " + out);
    }

    /** Runs {@code body} with the model store at {@code store} and the host's log (stderr) captured; returns the log. */
    private static String withStoreAndLog(java.nio.file.Path store, Runnable body) {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        String previous = System.getProperty("pianola.models");
        System.setProperty("pianola.models", store.toString());
        System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(err);
            if (previous == null) System.clearProperty("pianola.models");
            else System.setProperty("pianola.models", previous);
        }
        return log.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An engine whose package is missing says how to get it, in the status and the host's log, instead of a bare error. */
    @Test
    void anEngineNotInstalledSaysHowToInstallIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path emptyStore) {
        String logged = withStoreAndLog(emptyStore, () -> {
            instance = PluginInstance.start(5, input, notes, audio, control, RATE, "/nowhere");
            block(0, 0, 0);
            transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | 16, 4, 120);
            parameter(PluginParameter.FREE_WHEELING.id, 1);
            parameter(PluginParameter.ENGINE.id, dev.pianola.models.ModelFamilies.LIVE.indexOf(dev.pianola.models.ModelFamilies.REMI));
            play(List.of(new double[] {0, 0x90, 60, 100}, new double[] {0.5, 0x80, 60, 0}), 4, 0);
        });
        assertEquals(PluginInstance.STATUS_ERROR, control.getInt(PluginInstance.CONTROL_STATUS), "status");
        assertTrue(logged.contains("instance 5: the remi engine could not start: not installed: pianola models install gpt2-remi (" + emptyStore
                + ": no gpt2-remi package installed"), logged);
    }

    /**
     * The Compose engine with the tiny MusicGen package (tests/fixtures/musicgen/tiny, random
     * weights: its music is noise with a few pitches Basic Pitch hears) in a model store of its own:
     * the prompt arrives in PROMPT records (a character split across two chunks), the Compose
     * control's press composes one bar at the host's 120 BPM, and the cover plays from a bar line
     * after the press, every note within that bar.
     */
    @Test
    void theComposeControlPlaysTheComposedPieceFromTheNextBarLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path store) throws java.io.IOException {
        java.nio.file.Path basicPitch = dev.pianola.runtime.ModelStore.locate().basicPitch(); // before the store is replaced
        java.nio.file.Path tiny = java.nio.file.Path.of(System.getProperty("pianola.root", "..")).resolve("tests/fixtures/musicgen/tiny");
        java.nio.file.Files.createDirectories(store.resolve("musicgen-tiny"));
        try (var files = java.nio.file.Files.list(tiny)) {
            for (java.nio.file.Path f : files.toList()) java.nio.file.Files.copy(f, store.resolve("musicgen-tiny").resolve(f.getFileName()));
        }
        java.nio.file.Files.createDirectories(store.resolve(dev.pianola.runtime.ModelStore.BASIC_PITCH_FILE).getParent());
        java.nio.file.Files.copy(basicPitch, store.resolve(dev.pianola.runtime.ModelStore.BASIC_PITCH_FILE));
        String prompt = "warm lo-fi \u00e9 piano"; // "warm lo-fi " is 11 bytes: the two bytes of the e-acute straddle chunks 0 and 1
        List<Note> out = new ArrayList<>();
        double[] pressed = new double[1];
        String logged = withStoreAndLog(store, () -> {
            instance = PluginInstance.start(6, input, notes, audio, control, RATE, "/nowhere");
            block(0, 0, 0);
            transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | 16, 4, 120);
            parameter(PluginParameter.FREE_WHEELING.id, 1);
            parameter(PluginParameter.ANSWER_BARS.id, 1);
            parameter(PluginParameter.ENGINE.id, dev.pianola.models.ModelFamilies.ENGINE_MENU.indexOf(dev.pianola.models.ModelFamilies.MUSICGEN));
            promptRecords(prompt);
            out.addAll(play(List.of(), 1.3, 0));
            pressed[0] = frame / FRAMES_PER_BEAT;
            parameter(PluginParameter.COMPOSE.id, 1);
            out.addAll(play(List.of(), pressed[0] + 0.1, 0));
            parameter(PluginParameter.COMPOSE.id, 0);
            // offline, each block waits up to 150 ms for the piece; the bound is for a loaded machine, not a timing check
            for (double until = pressed[0] + 8; out.isEmpty() && until < 2000; until += 8) out.addAll(play(List.of(), until, 0));
            out.addAll(play(List.of(), frame / FRAMES_PER_BEAT + 8, 0));
        });
        double pressedAt = pressed[0];
        assertEquals(prompt, instance.prompt(), "the prompt, from its chunks");
        assertTrue(logged.contains("instance 6: compose: \"" + prompt + "\": 1 bar at 120.0 BPM (2.0 s of music) with musicgen"), logged);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("compose: (\\d+) notes over 1 bar from beat ([0-9.]+)").matcher(logged);
        assertTrue(m.find(), logged);
        double start = Double.parseDouble(m.group(2));
        assertEquals(0, start % 4, 1e-9, "the piece starts on a bar line: " + start);
        assertTrue(start > pressedAt, "after the press at beat " + pressedAt + ": " + start);
        assertEquals(PluginInstance.STATUS_OK, control.getInt(PluginInstance.CONTROL_STATUS), logged);
        List<Note> ons = out.stream().filter(Note::on).toList();
        assertFalse(ons.isEmpty(), "the tiny model's music has notes Basic Pitch hears: " + logged);
        assertEquals(Integer.parseInt(m.group(1)), ons.size(), "every note of the piece is played");
        for (Note n : out) assertTrue(n.beat() >= start - 1e-9 && n.beat() <= start + 4 + 1e-9, "within the bar from " + start + ": " + n);
    }

    /** Compose without a prompt, then without a MusicGen package: each says what to do, in the status and the log. */
    @Test
    void composeWithoutAPromptOrAPackageSaysWhatIsMissing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path emptyStore) {
        String logged = withStoreAndLog(emptyStore, () -> {
            instance = PluginInstance.start(7, input, notes, audio, control, RATE, "/nowhere");
            block(0, 0, 0);
            transport(0, 0.0, PluginInstance.TR_ROLLING | PluginInstance.TR_GRID | 16, 4, 120);
            parameter(PluginParameter.FREE_WHEELING.id, 1);
            parameter(PluginParameter.ENGINE.id, dev.pianola.models.ModelFamilies.ENGINE_MENU.indexOf(dev.pianola.models.ModelFamilies.MUSICGEN));
            parameter(PluginParameter.COMPOSE.id, 1);
            play(List.of(), 1, 0);
            parameter(PluginParameter.COMPOSE.id, 0);
            promptRecords("upbeat funk groove");
            play(List.of(), 2, 0);
            parameter(PluginParameter.COMPOSE.id, 1);
            play(List.of(), 3, 0);
        });
        assertEquals(PluginInstance.STATUS_ERROR, control.getInt(PluginInstance.CONTROL_STATUS), "status");
        assertTrue(logged.contains("instance 7: compose: the prompt is empty: set the plug-in's Prompt"), logged);
        assertTrue(logged.contains("instance 7: the musicgen engine could not start: not installed: pianola models install musicgen-small ("), logged);
    }

    @Test
    void anUnknownRecordIsAnErrorButRecordsAreStillConsumed() {
        instance = PluginInstance.start(3, input, notes, audio, control, RATE, "/nowhere");
        block(0, 0, 0);
        byte[] r = new byte[PluginInstance.INPUT_RECORD];
        r[16] = 9; // no such kind
        push(r);
        frame = BLOCK_FRAMES;
        block(frame, 0, BLOCK_FRAMES);
        awaitProcessed(frame);
        assertEquals(PluginInstance.STATUS_ERROR, control.getInt(PluginInstance.CONTROL_STATUS), "status 3");
        assertEquals(3, (long) SharedRing.LONGS.getAcquire(input, SharedRing.TAIL), "every record consumed");
    }

    @Test
    void refusesAControlBlockThatIsNotOne() {
        ByteBuffer bad = ShimMemory.aligned(128);
        assertThrows(IllegalArgumentException.class, () -> PluginInstance.start(4, input, notes, audio, bad, RATE, "/nowhere"));
        assertThrows(IllegalArgumentException.class, () -> PluginInstance.start(4, input, notes, audio, control, 0, "/nowhere"));
    }

    // ---- the shim's side ----

    /** Runs blocks from the current frame to {@code untilBeat}, the MIDI ({beat, status, data1, data2}) at its frames; returns the notes. */
    private List<Note> play(List<double[]> midi, double untilBeat, int epoch) {
        List<Note> out = new ArrayList<>();
        long until = (long) (untilBeat * FRAMES_PER_BEAT);
        while (frame < until) {
            long end = frame + BLOCK_FRAMES;
            for (double[] m : midi) {
                long at = (long) Math.ceil(m[0] * FRAMES_PER_BEAT);
                if (at >= frame && at < end) midiRecord(at, (int) m[1], (int) m[2], (int) m[3]);
            }
            block(end, epoch, BLOCK_FRAMES);
            awaitProcessed(end); // freewheel: run() waits for Java before it plays the block
            frame = end;
            for (byte[] r; (r = ShimMemory.pop(notes)) != null; ) out.add(note(r));
        }
        return out;
    }

    private void awaitProcessed(long end) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while ((long) SharedRing.LONGS.getAcquire(control, PluginInstance.CONTROL_PROCESSED) < end) {
            if (System.nanoTime() > deadline) fail("Java did not finish the block ending at frame " + end);
            Thread.onSpinWait();
        }
    }

    private static Note note(byte[] r) {
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        return new Note(b.getDouble(0), b.get(8) & 0xFF, b.get(9) & 0xFF, b.get(10) & 0xFF, b.get(11) & 0xFF, b.getInt(12));
    }

    private static ByteBuffer record(long time, double beat, int kind, int arg) {
        ByteBuffer b = ByteBuffer.allocate(PluginInstance.INPUT_RECORD).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(0, time).putDouble(8, beat).put(16, (byte) kind).put(17, (byte) arg);
    }

    private void midiRecord(long time, int status, int d1, int d2) {
        push(record(time, time / FRAMES_PER_BEAT, PluginInstance.REC_MIDI, 3).put(20, (byte) status).put(21, (byte) d1).put(22, (byte) d2).array());
    }

    private void transport(long time, double beat, int flags, float beatsPerBar, float bpm) {
        push(record(time, beat, PluginInstance.REC_TRANSPORT, flags).putShort(18, (short) 4).putFloat(20, beatsPerBar).putFloat(24, bpm).putFloat(28, 1f)
                .array());
    }

    private void parameter(int port, float value) {
        push(record(frame, frame / FRAMES_PER_BEAT, PluginInstance.REC_PARAMETER, port).putFloat(20, value).array());
    }

    private void block(long end, int epoch, int frames) {
        push(record(end, end / FRAMES_PER_BEAT, PluginInstance.REC_BLOCK, 0).putInt(20, epoch).putInt(24, frames).array());
    }

    /** The prompt as the shim sends it: 12-byte chunks, index 0 first, the whole length in each (pn_protocol.h). */
    private void promptRecords(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int chunks = Math.max(1, (bytes.length + PluginInstance.PROMPT_CHUNK_BYTES - 1) / PluginInstance.PROMPT_CHUNK_BYTES);
        for (int k = 0; k < chunks; k++) {
            ByteBuffer r = record(frame, frame / FRAMES_PER_BEAT, PluginInstance.REC_PROMPT, k).putShort(18, (short) bytes.length);
            for (int i = 0; i < PluginInstance.PROMPT_CHUNK_BYTES && k * PluginInstance.PROMPT_CHUNK_BYTES + i < bytes.length; i++)
                r.put(20 + i, bytes[k * PluginInstance.PROMPT_CHUNK_BYTES + i]);
            push(r.array());
        }
    }

    private void push(byte[] r) {
        assertTrue(ShimMemory.push(input, r), "input ring full");
    }
}
