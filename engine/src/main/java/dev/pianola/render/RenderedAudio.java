package dev.pianola.render;

import dev.pianola.audio.Audio;

/** Rendered audio, one float array per channel (1 = mono, 2 = stereo: left, right), samples in [-1, 1]. */
public record RenderedAudio(float[][] channels, int sampleRate) {
    public RenderedAudio {
        if (channels.length < 1) throw new IllegalArgumentException("need at least one channel");
        for (float[] c : channels) {
            if (c.length != channels[0].length) throw new IllegalArgumentException("channels differ in length");
        }
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
    }

    public int channelCount() {
        return channels.length;
    }

    public int frames() {
        return channels[0].length;
    }

    public double seconds() {
        return frames() / (double) sampleRate;
    }

    /** Largest absolute sample over all channels. */
    public float peak() {
        float peak = 0;
        for (float[] c : channels) {
            for (float v : c) peak = Math.max(peak, Math.abs(v));
        }
        return peak;
    }

    /** The average of the channels. */
    public Audio toMono() {
        if (channels.length == 1) return new Audio(channels[0].clone(), sampleRate);
        float[] mono = new float[frames()];
        for (float[] c : channels) {
            for (int i = 0; i < mono.length; i++) mono[i] += c[i];
        }
        float scale = 1f / channels.length;
        for (int i = 0; i < mono.length; i++) mono[i] *= scale;
        return new Audio(mono, sampleRate);
    }
}
