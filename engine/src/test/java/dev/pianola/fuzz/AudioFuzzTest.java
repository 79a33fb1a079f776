package dev.pianola.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.BadInputException;
import dev.pianola.audio.AudioFiles;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

/** AudioFiles, every format it reads: {@code read} (the samples), {@code readChannels} (each channel's) and {@code info} (the header only). */
@Timeout(10)
class AudioFuzzTest {
    private static void readAudio(String name, byte[] data) throws Exception {
        Path file = FuzzFiles.write(name, data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> AudioFiles.info(file));
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> AudioFiles.read(file));
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> AudioFiles.readChannels(file));
    }

    @FuzzTest
    void wav(byte[] data) throws Exception {
        readAudio("in.wav", data);
    }

    @FuzzTest
    void aiff(byte[] data) throws Exception {
        readAudio("in.aiff", data);
    }

    @FuzzTest
    void flac(byte[] data) throws Exception {
        readAudio("in.flac", data);
    }

    @FuzzTest
    void mp3(byte[] data) throws Exception {
        readAudio("in.mp3", data);
    }
}
