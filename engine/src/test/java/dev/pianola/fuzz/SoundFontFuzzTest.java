package dev.pianola.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.BadInputException;
import dev.pianola.render.SoundFonts;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

/** The SoundFont the renderer plays through ($PIANOLA_SOUNDFONT): SF2 and DLS, checked as SoundFonts.load checks them. */
@Timeout(10)
class SoundFontFuzzTest {
    @FuzzTest
    void soundFont(byte[] data) throws Exception {
        Path file = FuzzFiles.write("bank.sf2", data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> SoundFonts.load(file));
    }
}
