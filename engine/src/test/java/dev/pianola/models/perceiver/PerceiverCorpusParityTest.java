package dev.pianola.models.perceiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.TestPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every corpus MIDI file and every reader-quirk file of tests/fixtures/perceiver/midi: Java reads
 * the file and encodes it to exactly perceiver-io's encode_midi ids, and decodes those ids to
 * decode_midi's notes.
 */
class PerceiverCorpusParityTest {
    private static final String CORPUS = "corpus:";
    private static final String FIXTURE = "fixture:";

    private static Path source(String name) {
        if (name.startsWith(CORPUS)) return TestPaths.corpus(name.substring(CORPUS.length()));
        return PerceiverFixtures.dir().resolve(name.substring(FIXTURE.length()));
    }

    @Test
    void fixtureCoversEveryCorpusFile() throws IOException {
        TreeSet<String> onDisk = new TreeSet<>();
        try (Stream<Path> files = Files.list(TestPaths.corpus("midi/piano"))) {
            files.filter(p -> p.toString().endsWith(".mid")).forEach(p -> onDisk.add(CORPUS + "midi/piano/" + p.getFileName()));
        }
        TreeSet<String> recorded = new TreeSet<>();
        for (JsonNode f : PerceiverFixtures.corpus().get("files")) if (f.get("file").asText().startsWith(CORPUS)) recorded.add(f.get("file").asText());
        assertEquals(onDisk, recorded, "corpus files without a fixture (rerun tools/reference/perceiver_fixtures.py)");
    }

    @TestFactory
    List<DynamicTest> encodeFileEqualsEncodeMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : PerceiverFixtures.corpus().get("files")) {
            String name = f.get("file").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Path file = source(name);
                assertEquals(f.get("sha256").asText(), sha256(file), name + " changed since the fixture was made");
                PerceiverFixtures.assertIdsEqual(PerceiverFixtures.ids(f.get("ids")), PerceiverMidiCodec.encodeFile(file), name);
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> decodeEqualsDecodeMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : PerceiverFixtures.corpus().get("files")) {
            String name = f.get("file").asText();
            tests.add(DynamicTest.dynamicTest(name, () ->
                    PerceiverFixtures.assertNotesEqual(f.get("notes"), PerceiverMidiCodec.decode(PerceiverFixtures.ids(f.get("ids"))), name)));
        }
        return tests;
    }

    /** The reader on its own: the instruments pretty_midi made of the quirk files, notes and controls in list order. */
    @TestFactory
    List<DynamicTest> readerMatchesPrettyMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : PerceiverFixtures.corpus().get("files")) {
            if (!f.has("instruments")) continue;
            String name = f.get("file").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                List<PrettyMidiInstrument> expected = PerceiverFixtures.instruments(f.get("instruments"));
                List<PrettyMidiInstrument> actual = PrettyMidiReader.read(source(name));
                assertEquals(expected.size(), actual.size(), name + ": number of instruments");
                for (int i = 0; i < expected.size(); i++) {
                    // records compare doubles exactly: the seconds must be pretty_midi's to the bit
                    assertEquals(expected.get(i), actual.get(i), name + ": instrument " + i);
                }
            }));
        }
        assertEquals(3, tests.size(), "reader-quirk files in the fixture");
        return tests;
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
