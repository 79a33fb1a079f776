package dev.pianola.arrange;

import java.util.List;

/** Moves out-of-key notes to the nearest in-key pitch (also the live session's key lock). */
public final class ScaleSnap {
    private ScaleSnap() {}

    static void snap(List<Voice> voices, Key key, int lowest, int highest, Tally tally) {
        for (Voice v : voices) {
            if (key.contains(v.pitch)) continue;
            v.pitch = nearestInKey(v.pitch, key, lowest, highest);
            tally.snappedToKey++;
        }
    }

    /**
     * The nearest in-key pitch within lowest..highest. Every out-of-key pitch class of a major or
     * (harmonic-and-natural) minor key lies a semitone from an in-key one on each side, so there is
     * always a tie: it goes to the more stable scale degree (higher Krumhansl-Kessler weight), e.g.
     * in C major C# goes to C, F# to G, Bb to A.
     */
    public static int nearestInKey(int pitch, Key key, int lowest, int highest) {
        for (int distance = 1; distance < 12; distance++) {
            int down = pitch - distance, up = pitch + distance;
            boolean downOk = down >= lowest && key.contains(down);
            boolean upOk = up <= highest && key.contains(up);
            if (downOk && upOk) return key.stability(up) > key.stability(down) ? up : down;
            if (downOk) return down;
            if (upOk) return up;
        }
        return pitch; // unreachable: the range spans an octave, which holds every pitch class
    }
}
