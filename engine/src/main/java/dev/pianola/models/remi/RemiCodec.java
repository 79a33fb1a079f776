package dev.pianola.models.remi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.pianola.models.remi.RemiConstants.*;

/**
 * REMI without BPE: notes to base tokens and back, exactly as MidiTok 2.0.6 does it
 * ({@code preprocess_midi}, {@code _quantize_notes}, {@code REMI.track_to_tokens},
 * {@code REMI.tokens_to_track}; spec sections 2.4 and 2.5). All times are ticks of the caller's
 * time division; MidiTok encodes at the file's own and decodes at 384.
 */
final class RemiCodec {
    private final RemiVocabulary vocab;

    RemiCodec(RemiVocabulary vocab) {
        this.vocab = vocab;
    }

    /**
     * Notes as MidiTok's tokenizer sees them after preprocessing: pitches outside the vocabulary
     * dropped, starts and ends moved to the grid, velocities binned, sorted, duplicates removed.
     */
    List<RemiNote> preprocess(List<RemiNote> notes, int ticksPerQuarter) {
        // int(time_division / max(beat_res)): truncated, so 220 tpq gives a 27-tick grid here...
        long ticksPerSample = ticksPerQuarter / vocab.positionsPerBeat();
        List<RemiNote> out = new ArrayList<>();
        for (RemiNote n : notes) {
            if (n.pitch() < vocab.minPitch() || n.pitch() > vocab.maxPitch()) continue;
            long start = snap(n.startTick(), ticksPerSample), end = snap(n.endTick(), ticksPerSample);
            if (start == end) end += ticksPerSample; // a note never vanishes: it gets one grid step
            out.add(new RemiNote(n.pitch(), start, end, nearestVelocity(n.velocity())));
        }
        out.sort(Comparator.comparingLong(RemiNote::startTick).thenComparingInt(RemiNote::pitch).thenComparingLong(RemiNote::endTick));
        // remove_duplicated_notes: same pitch and start as the note before, and not shorter
        List<RemiNote> kept = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            RemiNote n = out.get(i);
            if (i > 0) {
                RemiNote p = out.get(i - 1);
                if (n.pitch() == p.pitch() && n.startTick() == p.startTick() && n.endTick() >= p.endTick()) continue;
            }
            kept.add(n);
        }
        return kept;
    }

    /** Rounds to the grid; an offset of exactly half a step rounds down (MidiTok: {@code off <= tps / 2}). */
    private static long snap(long tick, long ticksPerSample) {
        long off = Math.floorMod(tick, ticksPerSample);
        return 2 * off <= ticksPerSample ? tick - off : tick + ticksPerSample - off;
    }

    /** The nearest velocity bin; a tie goes to the lower bin (numpy argmin takes the first). */
    int nearestVelocity(int velocity) {
        int[] bins = vocab.velocities();
        int best = 0;
        for (int i = 1; i < bins.length; i++) if (Math.abs(bins[i] - velocity) < Math.abs(bins[best] - velocity)) best = i;
        return bins[best];
    }

    /** Base tokens of preprocessed notes ({@code REMI.track_to_tokens}). */
    List<String> tokens(List<RemiNote> preprocessed, int ticksPerQuarter) {
        // ...while positions divide by the exact, possibly fractional, step (a float in MidiTok)
        double ticksPerSample = ticksPerQuarter / (double) vocab.positionsPerBeat();
        long ticksPerBar = (long) ticksPerQuarter * BEATS_PER_BAR;
        List<RemiVocabulary.DurationBin> bins = vocab.durations();
        long[] binTicks = bins.stream().mapToLong(b -> b.ticks(ticksPerQuarter)).toArray();
        List<String> out = new ArrayList<>();
        long previousStart = -1, currentBar = -1;
        for (RemiNote n : preprocessed) {
            if (n.startTick() != previousStart) {
                for (long bar = currentBar; bar < Math.floorDiv(n.startTick(), ticksPerBar); bar++) out.add(BAR + "_" + NONE);
                currentBar = Math.max(currentBar, Math.floorDiv(n.startTick(), ticksPerBar));
                out.add(POSITION + "_" + (int) (Math.floorMod(n.startTick(), ticksPerBar) / ticksPerSample));
                previousStart = n.startTick();
            }
            out.add(PITCH + "_" + n.pitch());
            out.add(VELOCITY + "_" + n.velocity());
            long duration = n.endTick() - n.startTick();
            int best = 0; // nearest duration bin; a tie goes to the shorter (the first)
            for (int i = 1; i < binTicks.length; i++) if (Math.abs(binTicks[i] - duration) < Math.abs(binTicks[best] - duration)) best = i;
            out.add(bins.get(best).token());
        }
        return out;
    }

    /**
     * Notes of a base-token sequence ({@code REMI.tokens_to_track}). Bar starts the next bar,
     * Position moves within the current one (a Position before any Bar means bar 0), and a Pitch
     * makes a note only when a Velocity and then a Duration follow it; anything else is skipped.
     */
    List<RemiNote> notes(List<String> tokens, int ticksPerQuarter) {
        if (ticksPerQuarter <= 0 || ticksPerQuarter % vocab.positionsPerBeat() != 0)
            throw new IllegalArgumentException("ticks per quarter " + ticksPerQuarter + " is not a multiple of " + vocab.positionsPerBeat());
        long ticksPerSample = ticksPerQuarter / vocab.positionsPerBeat();
        long ticksPerBar = (long) ticksPerQuarter * BEATS_PER_BAR;
        List<RemiNote> out = new ArrayList<>();
        long tick = 0, bar = -1;
        for (int i = 0; i < tokens.size(); i++) {
            String[] t = split(tokens.get(i));
            switch (t[0]) {
                case BAR -> {
                    bar++;
                    tick = bar * ticksPerBar;
                }
                case POSITION -> {
                    if (bar == -1) bar = 0;
                    tick = bar * ticksPerBar + Integer.parseInt(t[1]) * ticksPerSample;
                }
                case PITCH -> {
                    if (i + 2 < tokens.size()) {
                        String[] v = split(tokens.get(i + 1)), d = split(tokens.get(i + 2));
                        if (v[0].equals(VELOCITY) && d[0].equals(DURATION)) {
                            long duration = durationTicks(d[1], ticksPerQuarter);
                            out.add(new RemiNote(Integer.parseInt(t[1]), tick, tick + duration, Integer.parseInt(v[1])));
                        }
                    }
                }
                default -> {
                    // specials, and Velocity / Duration outside a note, carry nothing on their own
                }
            }
        }
        return out;
    }

    /**
     * The onset a base-token sequence is at, by the rules of {@link #notes}: the tick its last Bar or
     * Position token moved to (0 before any). A model writing in time order places no more notes
     * before it, so the notes that start earlier are complete (a chord's last note may still follow
     * at this onset).
     */
    long writingTick(List<String> tokens, int ticksPerQuarter) {
        long ticksPerSample = ticksPerQuarter / vocab.positionsPerBeat();
        long ticksPerBar = (long) ticksPerQuarter * BEATS_PER_BAR;
        long tick = 0, bar = -1;
        for (String token : tokens) {
            String[] t = split(token);
            if (t[0].equals(BAR)) {
                bar++;
                tick = bar * ticksPerBar;
            } else if (t[0].equals(POSITION)) {
                if (bar == -1) bar = 0;
                tick = bar * ticksPerBar + Integer.parseInt(t[1]) * ticksPerSample;
            }
        }
        return tick;
    }

    private static long durationTicks(String value, int ticksPerQuarter) {
        String[] bpr = value.split("\\.");
        int beat = Integer.parseInt(bpr[0]), pos = Integer.parseInt(bpr[1]), res = Integer.parseInt(bpr[2]);
        return Math.floorDiv((long) (beat * res + pos) * ticksPerQuarter, res);
    }

    private static String[] split(String token) {
        int sep = token.indexOf('_');
        return new String[]{token.substring(0, sep), token.substring(sep + 1)};
    }
}
