package dev.pianola.models.continuator;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.continuator.ContinuatorConstants.*;

/**
 * Says when the player has finished a phrase: as in Pachet's Continuator, when nothing has been
 * held for a stretch of silence. Fed note-ons and note-offs with their times in beats and asked
 * with the current time; it keeps the phrase's notes, so the live session can learn and answer
 * them. Pure bookkeeping (no clock, no threads): the caller drives it, in time order. Pitches
 * are tracked without channels: a keyboard plays one of each.
 */
public final class PhraseDetector {
    private record Held(double startBeats, int velocity) {}

    private final double silenceBeats;
    private final Map<Integer, Held> held = new LinkedHashMap<>();
    private final List<Note> phrase = new ArrayList<>();
    private double lastReleaseBeats = Double.NaN;
    private double lastEventBeats = Double.NEGATIVE_INFINITY;

    /** Pachet's default: 1.0 s at 120 BPM, 2 beats. */
    public PhraseDetector() {
        this(DEFAULT_PHRASE_SILENCE_BEATS);
    }

    public PhraseDetector(double silenceBeats) {
        if (!(silenceBeats > 0 && silenceBeats <= 64)) throw new BadInputException("phrase-end silence must be more than 0 and at most 64 beats, got " + silenceBeats);
        this.silenceBeats = silenceBeats;
    }

    /** A silence given in seconds, as the Continuator does, at a tempo in beats per minute. */
    public static PhraseDetector forSilenceSeconds(double silenceSeconds, double bpm) {
        if (!(bpm > 0 && bpm < 1000)) throw new BadInputException("tempo must be more than 0 and below 1000 BPM, got " + bpm);
        return new PhraseDetector(silenceSeconds * bpm / 60);
    }

    public double silenceBeats() {
        return silenceBeats;
    }

    /** A key goes down. Velocity 0 is a release, as in MIDI; striking a held pitch again ends the held note first. */
    public void noteOn(int pitch, int velocity, double timeBeats) {
        if (velocity == 0) {
            noteOff(pitch, timeBeats);
            return;
        }
        advance(timeBeats);
        if (held.containsKey(pitch)) release(pitch, timeBeats);
        held.put(pitch, new Held(timeBeats, Math.max(1, Math.min(127, velocity))));
    }

    /** A key comes up; a release of a key that is not down is ignored (it went down before we listened). */
    public void noteOff(int pitch, double timeBeats) {
        advance(timeBeats);
        if (held.containsKey(pitch)) release(pitch, timeBeats);
        if (held.isEmpty()) lastReleaseBeats = timeBeats;
    }

    private void advance(double timeBeats) {
        if (!(timeBeats >= lastEventBeats)) throw new IllegalArgumentException("note events must come in time order: " + timeBeats + " after " + lastEventBeats);
        lastEventBeats = timeBeats;
    }

    private void release(int pitch, double timeBeats) {
        Held h = held.remove(pitch);
        phrase.add(new Note(pitch, h.startBeats(), timeBeats - h.startBeats(), h.velocity()));
    }

    public int heldNotes() {
        return held.size();
    }

    /** Whether a phrase has begun (a key went down) and has not been taken yet. */
    public boolean inPhrase() {
        return !held.isEmpty() || !phrase.isEmpty();
    }

    /** The beat at which the phrase ends if nothing more is played; NaN while a key is held or before any phrase. */
    public double phraseEndBeats() {
        if (!held.isEmpty() || phrase.isEmpty()) return Double.NaN;
        return lastReleaseBeats + silenceBeats;
    }

    /** Whether at nowBeats the phrase has ended (without taking it). */
    public boolean phraseEnded(double nowBeats) {
        double end = phraseEndBeats();
        return !Double.isNaN(end) && nowBeats >= end - EPSILON_BEATS;
    }

    /**
     * The finished phrase's notes, sorted by onset, once: when the phrase has ended at nowBeats it is
     * handed over and the detector waits for the next one; otherwise an empty list.
     */
    public List<Note> poll(double nowBeats) {
        if (!phraseEnded(nowBeats)) return List.of();
        List<Note> done = new ArrayList<>(phrase);
        done.sort(dev.pianola.midi.NoteSequence.ORDER);
        phrase.clear();
        return List.copyOf(done);
    }
}
