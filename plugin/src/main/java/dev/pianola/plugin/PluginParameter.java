package dev.pianola.plugin;

/**
 * The plug-in's parameters as the shim defines them (native-shim/core/pn_params.h, the one
 * definition): the id is the PARAMETER record's arg in every format. ProtocolTest checks this
 * list against the table the shim's build writes (native-shim/target/protocol.tsv).
 */
enum PluginParameter {
    ENGINE(0, "engine", 0, 3, 0),
    ANSWER_BARS(1, "answer_bars", 1, 16, 2),
    SILENCE_BEATS(2, "silence_beats", 0.5, 16, 2),
    EVERY_BAR(3, "every_bar", 0, 1, 0),
    TEMPERATURE(4, "temperature", 0.1, 2, 1),
    KEY_LOCK(5, "key_lock", 0, 1, 1),
    VELOCITY_SCALE(6, "velocity_scale", 0, 2, 1),
    FOLLOW(7, "follow", 0, 1, 0),
    /** Set by the host while it renders offline (LV2 freeWheeling, CLAP render, VST3 kOffline). */
    FREE_WHEELING(8, "free_wheeling", 0, 1, 0),
    START_ON(9, "start_on", 0, 1, 0),
    LISTEN(10, "listen", 0, 2, 0),
    COVER_LAG_BARS(11, "cover_lag_bars", 1, 2, 2),
    CAPTURE(12, "capture", 0, 1, 0),
    /** Reported by the shim (an output): never sent to Java. */
    STATUS(13, "status", 0, 3, 0),
    /** The Compose engine's trigger: its rising edge composes Answer Length bars from the prompt. */
    COMPOSE(14, "compose", 0, 1, 0);

    final int id;
    final String symbol;
    final double min, max, defaultValue;

    private static final PluginParameter[] BY_ID = new PluginParameter[values().length];

    static {
        for (PluginParameter p : values()) BY_ID[p.id] = p;
    }

    PluginParameter(int id, String symbol, double min, double max, double defaultValue) {
        this.id = id;
        this.symbol = symbol;
        this.min = min;
        this.max = max;
        this.defaultValue = defaultValue;
    }

    /** The parameter with this id, or null for an id this side does not know (a newer shim). */
    static PluginParameter byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The value within the parameter's range (the shim clamps too; this guards a mismatched shim). */
    double clamp(double v) {
        return Double.isNaN(v) ? defaultValue : Math.max(min, Math.min(max, v));
    }

    int clampRound(double v) {
        return (int) Math.round(clamp(v));
    }
}
