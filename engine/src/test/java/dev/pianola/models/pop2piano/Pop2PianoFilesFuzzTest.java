package dev.pianola.models.pop2piano;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.ModelException;
import dev.pianola.fuzz.FuzzFiles;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

/** The JSON files of a Pop2Piano package that Java reads: composers.json and the tokenizer's vocab.json. */
@Timeout(10)
class Pop2PianoFilesFuzzTest {
    @FuzzTest
    void composers(byte[] data) throws Exception {
        Path file = FuzzFiles.write("composers.json", data);
        FuzzFiles.acceptOrRefuse(file, ModelException.class, () -> Pop2PianoModel.readComposers(file));
    }

    @FuzzTest
    void vocab(byte[] data) throws Exception {
        Path file = FuzzFiles.write("vocab.json", data);
        // 300 ids, as the tiny package's vocabulary (tests/fixtures/pop2piano/tiny) has
        FuzzFiles.acceptOrRefuse(file, ModelException.class, () -> Pop2PianoModel.checkVocabulary(file, 300));
    }
}
