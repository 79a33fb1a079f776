package dev.pianola.cli;

import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import java.util.Iterator;

/** The engine names {@code continue} and {@code device} accept, from the registry (picocli's ${COMPLETION-CANDIDATES}). */
final class ContinueEngines implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return ModelFamilies.ALL.stream().filter(f -> f.job() == ModelFamily.Job.CONTINUE).map(ModelFamily::name).iterator();
    }
}
