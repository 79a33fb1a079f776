package dev.pianola.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.ModelException;
import dev.pianola.models.remi.RemiTokenizer;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.ModelStore;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;

/**
 * The files of a model package that Java parses: the manifest (as {@code models list}, {@code models
 * verify} and every engine read it) and the REMI tokenizer file (MidiTok's JSON with the BPE model
 * inside). A package's problems are exit 4 (ModelException), never the user's input.
 */
@Timeout(10)
class ModelFuzzTest {
    @FuzzTest
    void manifest(byte[] data) throws Exception {
        Path store = FuzzFiles.folder("store");
        Path file = FuzzFiles.write("store/pkg/" + ModelManifest.FILE, data);
        Path dir = file.getParent();
        FuzzFiles.acceptOrRefuse(file, ModelException.class, () -> ModelPackage.readManifest(dir));
        // a listed package that cannot be read is shown as broken; the list itself always comes
        for (boolean verify : new boolean[] {false, true}) {
            List<ModelPackage.Installed> listed = ModelPackage.list(new ModelStore(store), verify);
            if (listed.size() != 1) throw new AssertionError("models list shows " + listed.size() + " packages, expected 1");
            ModelPackage.VerifyReport r = listed.get(0).report();
            if (r != null && !r.ok() && (r.problem() == null || r.problem().contains("\n")))
                throw new AssertionError("a broken package's problem is not one line: " + r.problem());
        }
    }

    @FuzzTest
    void remiTokenizer(byte[] data) throws Exception {
        Path file = FuzzFiles.write("tokenizer.json", data);
        FuzzFiles.acceptOrRefuse(file, ModelException.class, () -> {
            RemiTokenizer t = RemiTokenizer.load(file);
            t.maxBarsPerId();
            t.decodeNotes(new int[] {0, 1, 2, 3, 4, t.vocabularySize() - 1});
        });
    }
}
