package dev.pianola.bench;

import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timestamps each new token of one generation through its {@link Progress} callback (the loops
 * report after every chosen token): milliseconds from {@link #start()} to token i, from which the
 * benches derive the time to the first token (prefill included), tokens per second after it and
 * the time to the first note. Not a test.
 */
final class TokenClock implements Progress {
    private final List<Double> tokenMs = new ArrayList<>();
    private long t0;

    void start() {
        tokenMs.clear();
        t0 = System.nanoTime();
    }

    @Override
    public void update(long done, long total, String what) {
        double ms = (System.nanoTime() - t0) / 1e6;
        while (tokenMs.size() < done) tokenMs.add(ms);
    }

    /** prefill_ms (to the first new token), tokens_per_s (after it), total_s and token_ms. */
    Map<String, Object> figures() {
        Map<String, Object> out = new LinkedHashMap<>();
        int n = tokenMs.size();
        out.put("prefill_ms", n == 0 ? -1 : tokenMs.get(0));
        out.put("tokens_per_s", n < 2 ? 0 : (n - 1) / ((tokenMs.get(n - 1) - tokenMs.get(0)) / 1e3));
        out.put("total_s", n == 0 ? 0 : tokenMs.get(n - 1) / 1e3);
        out.put("token_ms", tokenMs);
        return out;
    }

    /** VmHWM of /proc/self/status: the most resident memory this process has had. */
    static double peakRssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        return -1;
    }

    /** The token ids of a benchmark prompt file ({"prompt": [ids...]}), written by the Python side. */
    static int[] prompt(java.nio.file.Path json) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode p = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).get("prompt");
        int[] ids = new int[p.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = p.get(i).asInt();
        return ids;
    }

    /** The optional DEVICE argument at {@code index} (cpu, cuda, auto); the CPU when absent. */
    static OnnxSessions.Device device(String[] args, int index) {
        return args.length > index ? OnnxSessions.Device.valueOf(args[index].toUpperCase(java.util.Locale.ROOT)) : OnnxSessions.Device.CPU;
    }
}
