package dev.pianola.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.BadInputException;
import dev.pianola.fuzz.FuzzFiles;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

/** The beat-times text file of {@code cover --beats FILE}. */
@Timeout(10)
class BeatTimesFuzzTest {
    @FuzzTest
    void beatTimes(byte[] data) throws Exception {
        Path file = FuzzFiles.write("beats.txt", data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> BeatOptions.readBeatTimes(file));
    }
}
