package dev.pianola.live;

import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import dev.pianola.BadInputException;

import java.util.Locale;

/**
 * What the player sets (LV2 control ports, presets, {@code pianola device} flags).
 *
 * @param engine         which engine answers
 * @param answerBars     length of an answer, in bars of the meter where it starts (follow mode: always one bar)
 * @param silenceBeats   a phrase ends after this much silence with no key held
 * @param answerOnBar    end a phrase on every bar line instead (if the player played in the bar and holds nothing)
 * @param startOn        an answer starts on the next beat or the next bar line after the phrase ends
 * @param temperature    sampling temperature: 1 follows the engine's probabilities, lower is safer, 0 the likeliest
 * @param keyLock        snap answer pitches to the key of the phrase that is answered
 * @param velocityScale  answer velocities are multiplied by this (then kept in 1..127)
 * @param follow         play along bar by bar while the player plays, instead of taking turns (no barge-in)
 * @param channel        MIDI channel of the answer, 0..15
 * @param seed           seed of the first answer; each later answer uses the next one (the plug-in and
 *                       {@code pianola device} draw a fresh one unless told)
 */
public record LiveParameters(ModelFamily engine, int answerBars, double silenceBeats, boolean answerOnBar, Start startOn,
                             double temperature, boolean keyLock, double velocityScale, boolean follow, int channel, long seed) {

    public enum Start { BEAT, BAR }

    /** The Continuator answering 2 bars after 2 beats of silence (Pachet's 1 s at 120 BPM), on the next bar, key locked. */
    public static final LiveParameters DEFAULT = new LiveParameters(ModelFamilies.CONTINUATOR, 2, 2.0, false, Start.BAR, 1.0, true, 1.0, false, 0, 0);

    public LiveParameters {
        if (engine == null || startOn == null) throw new BadInputException("live parameters need an engine and a start (beat or bar)");
        if (!engine.isLive()) throw new BadInputException(engine.name() + " is not a live engine; expected " + ModelFamilies.names(ModelFamily.Job.CONTINUE));
        if (answerBars < 1 || answerBars > 64) throw new BadInputException("answer length must be 1..64 bars, got " + answerBars);
        if (!(silenceBeats > 0 && silenceBeats <= 64)) throw new BadInputException("phrase-end silence must be more than 0 and at most 64 beats, got " + silenceBeats);
        if (!(temperature >= 0 && temperature <= 10)) throw new BadInputException(String.format(Locale.ROOT, "temperature must be 0..10, got %s", temperature));
        if (!(velocityScale > 0 && velocityScale <= 4)) throw new BadInputException("velocity scale must be more than 0 and at most 4, got " + velocityScale);
        if (channel < 0 || channel > 15) throw new BadInputException("answer channel must be 0..15, got " + channel);
    }

    public LiveParameters withAnswerBars(int bars) { return new LiveParameters(engine, bars, silenceBeats, answerOnBar, startOn, temperature, keyLock, velocityScale, follow, channel, seed); }
    public LiveParameters withSilenceBeats(double b) { return new LiveParameters(engine, answerBars, b, answerOnBar, startOn, temperature, keyLock, velocityScale, follow, channel, seed); }
    public LiveParameters withAnswerOnBar(boolean on) { return new LiveParameters(engine, answerBars, silenceBeats, on, startOn, temperature, keyLock, velocityScale, follow, channel, seed); }
    public LiveParameters withStartOn(Start s) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, s, temperature, keyLock, velocityScale, follow, channel, seed); }
    public LiveParameters withTemperature(double t) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, t, keyLock, velocityScale, follow, channel, seed); }
    public LiveParameters withKeyLock(boolean k) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, temperature, k, velocityScale, follow, channel, seed); }
    public LiveParameters withVelocityScale(double v) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, temperature, keyLock, v, follow, channel, seed); }
    public LiveParameters withFollow(boolean f) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, temperature, keyLock, velocityScale, f, channel, seed); }
    public LiveParameters withChannel(int c) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, temperature, keyLock, velocityScale, follow, c, seed); }
    public LiveParameters withSeed(long s) { return new LiveParameters(engine, answerBars, silenceBeats, answerOnBar, startOn, temperature, keyLock, velocityScale, follow, channel, s); }
}
