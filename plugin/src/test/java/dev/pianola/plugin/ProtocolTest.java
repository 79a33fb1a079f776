package dev.pianola.plugin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java's side of the wire protocol and the parameter list against the shim's, as its compiler sees
 * them: native-shim's build writes target/protocol.tsv (core/gen_protocol.c) from the C headers
 * (record kinds, flags, offsets with offsetof, ring sizes, control block, the parameter table).
 * Adding a parameter to core/pn_params.h without PluginParameter, or moving a field, fails here.
 */
class ProtocolTest {
    private static final Path TSV = Path.of(System.getProperty("pianola.root", "..")).resolve("native-shim/target/protocol.tsv");

    private record Param(int id, String symbol, double min, double max, double def, int flags, String label) {}

    private final Map<String, Long> constants = new HashMap<>();
    private final Map<Integer, Param> params = new HashMap<>();

    ProtocolTest() throws IOException {
        assertTrue(Files.isRegularFile(TSV), TSV + " is missing: build native-shim first (mvn install builds it before plugin)");
        List<String> lines = Files.readAllLines(TSV);
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f[0].equals("const")) constants.put(f[1], Long.parseLong(f[2]));
            else if (f[0].equals("param"))
                params.put(Integer.parseInt(f[1]), new Param(Integer.parseInt(f[1]), f[2], Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                        Double.parseDouble(f[6]), Integer.parseInt(f[7]), f[8]));
        }
    }

    private long c(String name) {
        Long v = constants.get(name);
        assertNotNull(v, "protocol.tsv has " + name);
        return v;
    }

    @Test
    void recordKindsFlagsAndLayoutMatchTheShim() {
        assertEquals(c("REC_MIDI"), PluginInstance.REC_MIDI);
        assertEquals(c("REC_TRANSPORT"), PluginInstance.REC_TRANSPORT);
        assertEquals(c("REC_PARAMETER"), PluginInstance.REC_PARAMETER);
        assertEquals(c("REC_BLOCK"), PluginInstance.REC_BLOCK);
        assertEquals(c("REC_PLAYED"), PluginInstance.REC_PLAYED);
        assertEquals(c("REC_PROMPT"), PluginInstance.REC_PROMPT);
        assertEquals(c("PROMPT_CHUNK_BYTES"), PluginInstance.PROMPT_CHUNK_BYTES);
        assertEquals(c("PROMPT_MAX_BYTES"), PluginInstance.PROMPT_MAX_BYTES);
        assertEquals(c("TR_ROLLING"), PluginInstance.TR_ROLLING);
        assertEquals(c("TR_JUMPED"), PluginInstance.TR_JUMPED);
        assertEquals(c("TR_GRID"), PluginInstance.TR_GRID);
        assertEquals(c("TR_DROPPED"), PluginInstance.TR_DROPPED);
        assertEquals(c("TR_RESYNC"), PluginInstance.TR_RESYNC);
        assertEquals(c("BLOCK_AUDIO"), PluginInstance.BLOCK_AUDIO);
        assertEquals(c("INPUT_RECORD_BYTES"), PluginInstance.INPUT_RECORD);
        assertEquals(c("NOTE_RECORD_BYTES"), PluginInstance.NOTE_RECORD);
        // the offsets PluginInstance reads and writes (time 0, beat 8, kind 16, arg 17, payload 20; note beat 0 ... epoch 12)
        assertEquals(0, c("INPUT_TIME"));
        assertEquals(8, c("INPUT_BEAT"));
        assertEquals(16, c("INPUT_KIND"));
        assertEquals(17, c("INPUT_ARG"));
        assertEquals(18, c("INPUT_BEAT_UNIT"));
        assertEquals(20, c("INPUT_PAYLOAD"));
        assertEquals(0, c("NOTE_BEAT"));
        assertEquals(8, c("NOTE_STATUS"));
        assertEquals(11, c("NOTE_FLAGS"));
        assertEquals(12, c("NOTE_EPOCH"));
        assertEquals(c("CONTROL_MAGIC"), PluginInstance.CONTROL_MAGIC);
        assertEquals(c("CONTROL_PROCESSED"), PluginInstance.CONTROL_PROCESSED);
        assertEquals(c("CONTROL_JAVA_STATUS"), PluginInstance.CONTROL_STATUS);
        assertEquals(c("RING_MAGIC"), SharedRing.MAGIC);
        assertEquals(c("RING_HEADER_BYTES"), SharedRing.RECORDS);
        assertEquals(c("STATUS_OK"), PluginInstance.STATUS_OK);
        assertEquals(c("STATUS_STARTING"), PluginInstance.STATUS_STARTING);
        assertEquals(c("STATUS_JAVA_UNAVAILABLE"), PluginInstance.STATUS_JAVA_UNAVAILABLE);
        assertEquals(c("STATUS_ERROR"), PluginInstance.STATUS_ERROR);
    }

    @Test
    void everyParameterOfTheShimIsKnownWithItsRange() {
        assertEquals(params.size(), PluginParameter.values().length, "as many parameters as core/pn_params.h");
        for (Param p : params.values()) {
            PluginParameter j = PluginParameter.byId(p.id());
            assertNotNull(j, "PluginParameter has id " + p.id() + " (" + p.symbol() + ")");
            assertEquals(p.symbol(), j.symbol, "symbol of id " + p.id());
            assertEquals(p.min(), j.min, 1e-6, p.symbol() + " minimum");
            assertEquals(p.max(), j.max, 1e-6, p.symbol() + " maximum");
            assertEquals(p.def(), j.defaultValue, 1e-6, p.symbol() + " default");
        }
    }

    /** The musician's page names every control a host shows (all but the host's render mode, flag 1). */
    @Test
    void theReadmeExplainsEveryControl() throws IOException {
        String readme = Files.readString(TSV.getParent().getParent().getParent().resolve("plugin/README.md"));
        for (Param p : params.values()) {
            if ((p.flags() & 1) != 0) continue;
            assertTrue(readme.contains("| **" + p.label() + "** |"), "plugin/README.md's controls table has a row for " + p.label());
        }
    }

    /** The Engine menu (core/pn_params.h's choices, from which the TTL and the CLAP/VST3 lists are made) is the registry's live engines, then its composers ("Compose (MusicGen)"), in order. */
    @Test
    void theEngineMenuIsTheRegistrysLiveEngines() throws IOException {
        Path header = Path.of(System.getProperty("pianola.root", "..")).resolve("native-shim/core/pn_params.h");
        String line = Files.readAllLines(header).stream().filter(l -> l.contains(" ENGINE,")).findFirst().orElseThrow();
        String choices = line.substring(line.lastIndexOf('"', line.lastIndexOf('"') - 1) + 1, line.lastIndexOf('"'));
        assertEquals(dev.pianola.models.ModelFamilies.ENGINE_MENU.stream().map(dev.pianola.models.ModelFamily::menuTitle).toList(), List.of(choices.split("\\|")), line);
        Param engine = params.values().stream().filter(p -> p.symbol().equals("engine")).findFirst().orElseThrow();
        assertEquals(dev.pianola.models.ModelFamilies.ENGINE_MENU.size() - 1, (int) engine.max(), "the engine parameter's range");
    }
}
