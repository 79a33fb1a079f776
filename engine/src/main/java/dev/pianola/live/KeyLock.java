package dev.pianola.live;

import dev.pianola.arrange.Key;
import dev.pianola.arrange.ScaleSnap;
import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.List;

/** Keeps an answer in the key of the phrase it answers: out-of-key pitches move to the nearest in-key one. */
final class KeyLock {
    /** The piano's range: a snapped note never leaves the keyboard. */
    static final int LOWEST_PITCH = 21, HIGHEST_PITCH = 108;

    private KeyLock() {}

    /** The answer snapped to {@code key} (the phrase's, KeyDetector); unchanged when it is null (no detectable key). */
    static List<Note> snap(List<Note> answer, Key key) {
        if (key == null) return answer;
        List<Note> out = new ArrayList<>(answer.size());
        for (Note n : answer) {
            int lowest = Math.min(LOWEST_PITCH, n.pitch()), highest = Math.max(HIGHEST_PITCH, n.pitch());
            out.add(key.contains(n.pitch()) ? n : n.withPitch(ScaleSnap.nearestInKey(n.pitch(), key, lowest, highest)));
        }
        return out;
    }
}
