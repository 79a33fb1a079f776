package dev.pianola.live.jack;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * libjack prints its own messages on standard error ("Cannot connect to server socket ..." when
 * no server runs); the device reports such problems in one line of its own, so libjack's messages
 * go to the debug log instead (shown with --verbose).
 */
final class JackQuiet {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.pianola.live.jack.libjack");

    interface Message extends Callback {
        void invoke(String message);
    }

    interface LibJack extends Library {
        void jack_set_error_function(Message f);

        void jack_set_info_function(Message f);
    }

    /** Held for the life of the process: libjack keeps the function pointer. */
    private static final Message TO_LOG = m -> LOG.debug("libjack: {}", m);
    private static boolean done;

    private JackQuiet() {}

    static synchronized void silenceLibjack() {
        if (done) return;
        done = true;
        try {
            LibJack lib = Native.load("jack", LibJack.class);
            lib.jack_set_error_function(TO_LOG);
            lib.jack_set_info_function(TO_LOG);
        } catch (LinkageError e) {
            LOG.debug("could not route libjack's messages to the log: {}", e.toString());
        }
    }
}
