package dev.pianola.models.basicpitch;

/**
 * One transcribed note. Frames index the posteriorgrams ({@code endFrame} exclusive); seconds come
 * from upstream's model_frames_to_time. {@code bends} holds one value per frame in thirds of a
 * semitone, relative to {@code pitch}, and is empty when pitch bends were not estimated.
 */
public record NoteEvent(int startFrame, int endFrame, double startSeconds, double endSeconds, int pitch,
                        double amplitude, int[] bends) {
}
