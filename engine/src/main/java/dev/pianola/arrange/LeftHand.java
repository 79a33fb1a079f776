package dev.pianola.arrange;

import dev.pianola.time.TimeSignature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The left hand's texture ({@link ArrangeOptions.Texture}): the left hand the transcription gave (often
 * a mush of partials, re-triggers and a doubled bass) is replaced, segment by segment, by its bass and
 * its chord, held, broken or comped on the beats. The right hand is not touched.
 *
 * <p>Segments are half bars (in bars of an even number of beats, four or more) or whole bars; two
 * halves with the same bass and chord are one bar. A segment is accompanied where the left hand
 * played: a left-hand note starts in it, or one sounds through half of it. Per segment:
 * <ul>
 * <li>bass: the lowest left-hand pitch that sounds in it at least half as long as its most
 *     sounding left-hand pitch (shorter ones are partials and passing notes);</li>
 * <li>chord: the major or minor triad that best matches (cosine) the pitch classes of the notes that
 *     are not the tune, both hands, weighted by how long they sound in it; rooted on the bass wins ties
 *     and near ties;</li>
 * <li>velocity: the mean of the left-hand notes it replaces;</li>
 * <li>voicing: the chord tones that sound in the segment (salient, as for the bass) and the hand can
 *     hold there: the third first, no close interval under C3
 *     (it sounds as mud), close to the bass (held and broken) or just under the right hand (stabs).</li>
 * </ul>
 * A note is written only if it fits: under every right-hand note that sounds with it, within the left
 * hand's span and finger count and the overall cap at every onset while it sounds. One that does not
 * fit is left out: the chord thins, the right hand never gives way.
 */
final class LeftHand {
    /**
     * A pitch (class) sounding for less than this share of the segment's most sounding one is not salient:
     * a partial or a passing note, no bass and no chord tone. Half (of the time a pitch class sounds,
     * octaves together) kept the songs' chroma closest to the
     * left hand as played (MelodyOnTopTest: a quarter, octaves summed, lost up to 0.03 more).
     */
    private static final double SALIENT_SHARE = 0.5;
    /** Added to a chord's cosine when the bass is its root: C-E-G-A over C is C (add 6), not A minor over C. */
    private static final double BASS_ROOT_BONUS = 0.1;
    /** Below C3 two notes closer than a fourth blur into one (the low interval limit). */
    private static final int MUD_BELOW_PITCH = 48, MUD_INTERVAL_SEMITONES = 5;
    /** Voicing scores: a chord tone's worth (the third tells major from minor; a pitch class the bass plays adds least). */
    private static final double THIRD_WORTH = 3, ROOT_OR_FIFTH_WORTH = 2, DOUBLING_WORTH = 1;
    private static final double MUD_COST = 4, COST_PER_SEMITONE_FROM_TARGET = 0.02;
    /** Chord tones over the bass when held or broken (a triad with its bass), and notes of a stab. */
    private static final int CHORD_TONES = 2, STAB_TONES = 3;
    private static final double BEAT = 1, EIGHTH_BEATS = 0.5;

    record Chord(int root, boolean minor) {
        int third() {
            return (root + (minor ? 3 : 4)) % 12;
        }

        int fifth() {
            return (root + 7) % 12;
        }

        boolean has(int pitchClass) {
            return pitchClass == root || pitchClass == third() || pitchClass == fifth();
        }
    }

    /**
     * One harmony over startBeats..endBeats, in the bar that starts at barStartBeats and lasts barBeats;
     * {@code salient} has bit pc set for each salient pitch class of the notes that are not the tune (by
     * the time it sounds, octaves together).
     */
    record Segment(double startBeats, double endBeats, double barStartBeats, double barBeats, int bass, Chord chord, int salient, int velocity) {
        /** The chord's tones that sound in the segment: a chord without its third in the music is played without it. */
        boolean plays(int pitch) {
            return chord.has(pitch % 12) && (salient & 1 << pitch % 12) != 0;
        }
    }

    private LeftHand() {}

    /** Replaces the left hand (channel {@link Hands#LEFT}) of {@code voices} by the options' texture; returns all notes, in order. */
    static List<Voice> texture(List<Voice> voices, List<TimeSignature> meters, ArrangeOptions o, Tally tally) {
        List<Voice> right = new ArrayList<>(), left = new ArrayList<>();
        for (Voice v : voices) (v.channel == Hands.RIGHT ? right : left).add(v);
        double end = voices.stream().mapToDouble(v -> v.endBeats).max().orElse(0);
        List<Voice> out = new ArrayList<>(right);
        for (Segment s : segments(voices, left, meters, end)) {
            List<Voice> rightHere = overlapping(right, s.startBeats(), s.endBeats());
            List<Voice> written = new ArrayList<>(); // segments do not overlap: only these can sound with the next one
            for (Voice v : propose(s, rightHere, o)) if (fits(v, rightHere, written, o)) written.add(v);
            out.addAll(written);
            tally.writtenByTexture += written.size();
        }
        tally.replacedByTexture += left.size();
        out.sort(Voice.ORDER);
        return out;
    }

    /** Half bars, or a bar where both halves have one bass and chord; only where the left hand plays. */
    static List<Segment> segments(List<Voice> all, List<Voice> left, List<TimeSignature> meters, double endBeats) {
        List<Segment> out = new ArrayList<>();
        for (double barStart : TimeSignature.barLines(meters, endBeats)) {
            double barBeats = meterAt(meters, barStart).barBeats();
            int parts = splitsInHalves(barBeats) ? 2 : 1;
            Segment previous = null;
            for (int k = 0; k < parts; k++) {
                double start = barStart + k * barBeats / parts, end = Math.min(barStart + (k + 1) * barBeats / parts, endBeats);
                if (start >= end - Cleanup.SAME_TIME_BEATS) break;
                Segment s = analyse(all, left, start, end, barStart, barBeats);
                if (s != null && previous != null && previous.endBeats() == start && previous.bass() == s.bass() && previous.chord().equals(s.chord())) {
                    s = new Segment(previous.startBeats(), end, barStart, barBeats, s.bass(), s.chord(), previous.salient() | s.salient(),
                            (previous.velocity() + s.velocity() + 1) / 2);
                    out.remove(out.size() - 1);
                }
                if (s != null) out.add(s);
                previous = s;
            }
        }
        return out;
    }

    /** Bars of four or more beats, an even number, move harmony by the half bar (beats 1 and 3 in 4/4). */
    static boolean splitsInHalves(double barBeats) {
        return barBeats >= 4 && barBeats % 2 == 0;
    }

    /** The meter in force at a bar line (as {@link TimeSignature#barLines} reads the list). */
    private static TimeSignature meterAt(List<TimeSignature> meters, double beats) {
        TimeSignature meter = TimeSignature.FOUR_FOUR;
        for (TimeSignature m : meters) if (m.beats() <= beats + Cleanup.SAME_TIME_BEATS) meter = m;
        return meter;
    }

    /** The segment's bass, chord and velocity; null where the left hand does not play. */
    static Segment analyse(List<Voice> all, List<Voice> left, double start, double end, double barStart, double barBeats) {
        List<Voice> here = overlapping(left, start, end);
        boolean plays = here.stream().anyMatch(v -> v.startBeats >= start - Cleanup.SAME_TIME_BEATS || overlap(v, start, end) >= (end - start) / 2);
        if (!plays) return null;
        TreeMap<Integer, Double> soundingBeats = new TreeMap<>();
        for (Voice v : here) soundingBeats.merge(v.pitch, overlap(v, start, end), Double::sum);
        double most = soundingBeats.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int bass = soundingBeats.entrySet().stream().filter(e -> e.getValue() >= SALIENT_SHARE * most).findFirst().orElseThrow().getKey();
        double[] profile = new double[12];
        for (Voice v : overlapping(all, start, end)) if (!v.melody) profile[v.pitch % 12] += overlap(v, start, end);
        double[] soundsBeats = soundingBeatsPerPitchClass(overlapping(all, start, end), start, end);
        double longest = Arrays.stream(soundsBeats).max().orElseThrow();
        int salient = 0;
        for (int pc = 0; pc < 12; pc++) if (soundsBeats[pc] > 0 && soundsBeats[pc] >= SALIENT_SHARE * longest) salient |= 1 << pc;
        int velocity = (int) Math.round(here.stream().mapToInt(v -> v.velocity).average().orElseThrow());
        return new Segment(start, end, barStart, barBeats, bass, chordOf(profile, bass % 12), salient, velocity);
    }

    /**
     * How long each pitch class of the notes that are not the tune sounds in start..end: the union of
     * its notes, so that a doubling in octaves (a transcription's partials) does not count twice.
     */
    static double[] soundingBeatsPerPitchClass(List<Voice> voices, double start, double end) {
        double[] beats = new double[12];
        for (int pc = 0; pc < 12; pc++) {
            final int pitchClass = pc;
            List<Voice> notes = voices.stream().filter(v -> !v.melody && v.pitch % 12 == pitchClass)
                    .sorted(Comparator.comparingDouble(v -> v.startBeats)).toList();
            double covered = start;
            for (Voice v : notes) {
                double from = Math.max(covered, v.startBeats), to = Math.min(end, v.endBeats);
                if (to > from) beats[pc] += to - from;
                covered = Math.max(covered, to);
            }
        }
        return beats;
    }

    /** The major or minor triad nearest (cosine) the pitch-class profile, a chord on the bass helped by {@link #BASS_ROOT_BONUS}. */
    static Chord chordOf(double[] profile, int bassPitchClass) {
        double norm = 0;
        for (double p : profile) norm += p * p;
        norm = Math.sqrt(norm);
        Chord best = new Chord(bassPitchClass, false);
        if (norm == 0) return best;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int root = 0; root < 12; root++) {
            for (boolean minor : new boolean[]{false, true}) {
                Chord c = new Chord(root, minor);
                double score = (profile[c.root()] + profile[c.third()] + profile[c.fifth()]) / (norm * Math.sqrt(3))
                        + (root == bassPitchClass ? BASS_ROOT_BONUS : 0);
                if (score > bestScore + 1e-12) {
                    best = c;
                    bestScore = score;
                }
            }
        }
        return best;
    }

    /** The texture's notes for a segment, the most important first where they compete (the bass before the chord). */
    static List<Voice> propose(Segment s, List<Voice> rightHere, ArrangeOptions o) {
        int underRight = rightHere.stream().mapToInt(v -> v.pitch).min().orElse(o.highestPitch() + 1) - 1;
        int bass = s.bass(), span = o.leftHandSpanSemitones();
        List<Voice> out = new ArrayList<>();
        switch (o.leftHandTexture()) {
            case SUSTAINED -> {
                out.add(note(bass, s.startBeats(), s.endBeats(), s));
                int tones = Math.min(CHORD_TONES, o.maxNotesLeftHand() - 1);
                for (int p : voicing(s, true, Math.min(bass + span, underRight), tones, span, false)) {
                    out.add(note(p, s.startBeats(), s.endBeats(), s));
                }
            }
            case BROKEN -> {
                List<Integer> chord = new ArrayList<>(List.of(bass));
                chord.addAll(voicing(s, true, Math.min(bass + span, underRight), CHORD_TONES, span, false));
                if (chord.size() == 1) {
                    out.add(note(bass, s.startBeats(), s.endBeats(), s));
                    break;
                }
                // Alberti (low, high, middle, high) over a close triad; 1-5-8-5 over an open one; 1-5-1-5 over two notes
                int[] pattern = chord.size() == 2 ? new int[]{0, 1, 0, 1} : chord.get(1) - bass <= 4 ? new int[]{0, 2, 1, 2} : new int[]{0, 1, 2, 1};
                int k = 0;
                for (double t = s.startBeats(); t < s.endBeats() - Cleanup.SAME_TIME_BEATS; t += EIGHTH_BEATS, k++) {
                    out.add(note(chord.get(pattern[k % pattern.length]), t, Math.min(t + EIGHTH_BEATS, s.endBeats()), s));
                }
            }
            case POP -> {
                int tones = Math.min(STAB_TONES, o.maxNotesLeftHand());
                List<Integer> stab = voicing(s, false, Math.min(underRight, o.splitPitch() - 1), tones, span, true);
                for (double t = s.startBeats(); t < s.endBeats() - Cleanup.SAME_TIME_BEATS; t += BEAT) {
                    double end = Math.min(t + BEAT, s.endBeats());
                    if (bassBeat(t - s.barStartBeats(), s.barBeats())) out.add(note(bass, t, end, s));
                    else for (int p : stab) out.add(note(p, t, end, s));
                }
            }
            case AS_PLAYED -> throw new IllegalStateException("AS_PLAYED keeps the left hand as it is");
        }
        return out;
    }

    /** The bass falls on beat 1, and on the first beat of the second half in a bar that splits in halves (beat 3 of 4/4). */
    static boolean bassBeat(double beatsIntoBar, double barBeats) {
        double beat = Math.round(beatsIntoBar);
        return beat == 0 || (splitsInHalves(barBeats) && beat == barBeats / 2);
    }

    private static Voice note(int pitch, double start, double end, Segment s) {
        return new Voice(pitch, start, end, s.velocity(), Hands.LEFT);
    }

    /**
     * At most {@code count} of the segment's chord tones that sound in it, above the bass up to
     * {@code highest}: the set worth most (see
     * the worth constants), less mud under C3, less a little per semitone away from the bass (or from
     * {@code highest}, with {@code nearTop}), all within {@code span} (with the bass when it sounds with
     * them). Ascending; empty when nothing is worth playing.
     */
    static List<Integer> voicing(Segment s, boolean withBass, int highest, int count, int span, boolean nearTop) {
        Chord chord = s.chord();
        int bass = s.bass();
        List<Integer> candidates = new ArrayList<>();
        for (int p = bass + 1; p <= highest; p++) if (s.plays(p)) candidates.add(p);
        List<Integer> best = List.of();
        double bestScore = 0;
        for (int mask = 1; mask < 1 << candidates.size(); mask++) {
            if (Integer.bitCount(mask) > count) continue;
            List<Integer> tones = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) if ((mask & 1 << i) != 0) tones.add(candidates.get(i));
            List<Integer> sounding = new ArrayList<>(tones);
            if (withBass) sounding.add(0, bass);
            if (sounding.get(sounding.size() - 1) - sounding.get(0) > span) continue;
            double score = 0;
            boolean[] counted = new boolean[12];
            for (int p : tones) {
                int pc = p % 12;
                if (counted[pc]) continue;
                counted[pc] = true;
                score += pc == bass % 12 ? DOUBLING_WORTH : pc == chord.third() ? THIRD_WORTH : ROOT_OR_FIFTH_WORTH;
                score -= COST_PER_SEMITONE_FROM_TARGET * (nearTop ? highest - p : p - bass);
            }
            for (int i = 1; i < sounding.size(); i++) {
                if (sounding.get(i - 1) < MUD_BELOW_PITCH && sounding.get(i) - sounding.get(i - 1) < MUD_INTERVAL_SEMITONES) score -= MUD_COST;
            }
            if (score > bestScore + 1e-12) {
                best = tones;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * Whether {@code v} can join the left hand: at its onset and at every onset while it sounds, it is
     * under every right-hand note sounding, not on a left-hand key already down, and the left hand (span,
     * fingers) and both hands (the cap) still fit.
     */
    static boolean fits(Voice v, List<Voice> right, List<Voice> left, ArrangeOptions o) {
        List<Double> onsets = new ArrayList<>(List.of(v.startBeats));
        for (Voice w : right) if (w.startBeats > v.startBeats && w.startBeats < v.endBeats) onsets.add(w.startBeats);
        for (Voice w : left) if (w.startBeats > v.startBeats && w.startBeats < v.endBeats) onsets.add(w.startBeats);
        for (double t : onsets) {
            int rightCount = 0, leftCount = 0, lo = v.pitch, hi = v.pitch;
            for (Voice w : right) {
                if (!sounds(w, t)) continue;
                if (w.pitch <= v.pitch) return false;
                rightCount++;
            }
            for (Voice w : left) {
                if (!sounds(w, t)) continue;
                if (w.pitch == v.pitch) return false;
                leftCount++;
                lo = Math.min(lo, w.pitch);
                hi = Math.max(hi, w.pitch);
            }
            if (rightCount + leftCount + 1 > o.maxPolyphony() || leftCount + 1 > o.maxNotesLeftHand() || hi - lo > o.leftHandSpanSemitones()) return false;
        }
        return true;
    }

    private static boolean sounds(Voice w, double t) {
        return w.startBeats <= t + Cleanup.SAME_TIME_BEATS && w.endBeats > t + Cleanup.SAME_TIME_BEATS;
    }

    private static List<Voice> overlapping(List<Voice> voices, double start, double end) {
        List<Voice> out = new ArrayList<>();
        for (Voice v : voices) if (v.startBeats < end - Cleanup.SAME_TIME_BEATS && v.endBeats > start + Cleanup.SAME_TIME_BEATS) out.add(v);
        return out;
    }

    private static double overlap(Voice v, double start, double end) {
        return Math.min(v.endBeats, end) - Math.max(v.startBeats, start);
    }
}
