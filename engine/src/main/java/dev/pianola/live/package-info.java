/**
 * The live player, shared by the LV2 plugin and {@code pianola device}: {@link dev.pianola.live.LiveSession}
 * listens to MIDI input block by block and answers with beat-stamped note events;
 * {@link dev.pianola.live.CoverSession} listens to audio and covers it bar by bar (its own rules
 * are in its class comment; it owns its worker and model); {@link dev.pianola.live.MidiClock}
 * turns MIDI clock into the transport of a block ({@code pianola device}).
 *
 * <h2>Threading contract</h2>
 * <ul>
 * <li>One thread (the plugin's capture thread, the device's JACK-side thread) calls
 *     {@code onBlock}, in block order; it never waits there: no lock is held across an engine call,
 *     no future is joined. {@code setParameters} may come from any thread (a volatile field read
 *     once per block).</li>
 * <li>Engines run only on the session's {@link dev.pianola.runtime.InferenceWorker} thread:
 *     learning and answering are jobs on it, one at a time, so an engine needs no locking. A finished
 *     answer is picked up by the first block after it completes ({@code future().isDone()}).</li>
 * <li>The caller owns the worker and the engine and closes them (the worker first) after the
 *     session.</li>
 * </ul>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li><b>Turns.</b> A phrase ends after {@code silenceBeats} with no key held, or (answer on bar) at
 *     the first bar line after its last release. The answer starts on the first beat or bar line
 *     strictly after the phrase's end and lasts {@code answerBars} bars of the meter there. The
 *     engine learns the phrase, then continues the context (the last 64 beats, at most 1024 notes).</li>
 * <li><b>Horizon.</b> Each block hands out every answer event before its end plus one bar of the
 *     current meter. Handed-out events are final; the ones beyond can still be dropped.</li>
 * <li><b>Barge-in.</b> A key pressed while an answer is computed or sounds: the job is cancelled,
 *     events not handed out are dropped, answer notes sounding at that beat get a note-off at it,
 *     and notes handed out but not yet started end at the horizon they were handed out in.
 *     Follow mode has no barge-in: it plays along.</li>
 * <li><b>Late answers.</b> One ready before its first note's beat plays as asked. An engine that
 *     writes in time order (GPT-2 on REMI) hands over its notes onset by onset; such an answer
 *     begins while it is still written, once its notes reach a quarter second past the playhead,
 *     and a note handed over after its beat is left out (counted). One not ready, or not far
 *     enough ahead, by its first note's beat moves whole to the first bar line at or after the
 *     block it is picked up in, unless that is more than 2 bars after the planned start: then it
 *     is dropped (a job still running by then is cancelled). Follow mode drops a late bar: the
 *     next bar's answer is already asked for.</li>
 * <li><b>Jumps and stop.</b> A block that does not start where the last one ended (a loop, a
 *     seek), or a stopped transport: the pending answer is cancelled, every answer note that may
 *     still sound gets a note-off at the new position (so the scheduler must drop the events it
 *     still holds on such a discontinuity), the phrase in progress is learned and the context is
 *     cleared (its beats mean nothing at the new position); what the engine learned is kept.
 *     Input while stopped is ignored, as is input before beat 0 (a count-in).</li>
 * <li><b>Tempo.</b> Everything is in beats: a tempo change moves no note; the scheduler turns beats
 *     into frames with each block's own transport.</li>
 * <li><b>Follow mode.</b> At every bar line the bar just played is learned and the bar after the
 *     one now beginning is asked for (a whole bar to compute it), while the player played within
 *     the last 2 bars. {@code answerBars} does not apply: each answer is one bar.</li>
 * <li><b>Memory.</b> The context is capped in beats and notes; the Continuator engine forgets its
 *     oldest phrases past 2048 notes (relearning the newest 1024); at most 8 phrases wait to be
 *     learned and one answer is pending at a time.</li>
 * </ul>
 */
package dev.pianola.live;
