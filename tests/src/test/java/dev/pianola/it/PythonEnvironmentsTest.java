package dev.pianola.it;

import dev.pianola.BadInputException;
import dev.pianola.install.PythonEnvironments;
import dev.pianola.models.Installable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exporters' Python environments, made for real (python -m venv, then pip install -r) from a
 * recipe whose one pin is the pip the venv module brings, so that no package is downloaded: made
 * once, then reused; made again when the pins change; an environment with other versions refused.
 */
class PythonEnvironmentsTest {
    @TempDir
    Path tmp;

    @Test
    void madeOnceReusedAndCheckedAgainstThePins() throws Exception {
        Installable.PythonEnv recipe = new Installable.PythonEnv("test", List.of("python3"), List.of(List.of("-r", "requirements.txt")), 0, 0);
        Path python3 = PythonEnvironments.interpreter(recipe, System.getenv("PATH"));
        Assumptions.assumeTrue(python3 != null, "no python3 on PATH");
        List<String> version = new ArrayList<>();
        Process p = new ProcessBuilder(python3.toString(), "-c", "import ensurepip; print(ensurepip.version())").start();
        version.add(new String(p.getInputStream().readAllBytes()).strip());
        assertEquals(0, p.waitFor());
        Path root = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(root.resolve("requirements.txt"), "# the pip that venv installs\npip==" + version.get(0) + "\n");
        PythonEnvironments envs = new PythonEnvironments(root, tmp.resolve("venvs"));
        assertFalse(envs.ready(recipe));

        List<String> lines = new ArrayList<>();
        Path python = envs.ensure(recipe, lines::add);
        assertEquals(tmp.resolve("venvs/test/bin/python"), python);
        assertTrue(envs.ready(recipe));
        assertTrue(lines.stream().anyMatch(l -> l.contains("pip==" + version.get(0))), "pip's output is passed on: " + lines);
        Path log = tmp.resolve("venvs/test/pip.log");
        FileTime made = Files.getLastModifiedTime(log);

        lines.clear();
        envs.ensure(recipe, lines::add);
        assertTrue(lines.isEmpty(), "made once: " + lines);
        assertEquals(made, Files.getLastModifiedTime(log));

        // the pins change: the environment is no longer the recipe's, and its packages are named
        Files.writeString(root.resolve("requirements.txt"), "pip==0.0.1\n");
        assertFalse(envs.ready(recipe));
        BadInputException e = assertThrows(BadInputException.class, () -> envs.checkPins(recipe, python));
        assertTrue(e.getMessage().endsWith("not the exporter's pinned packages: pip " + version.get(0) + " (pinned 0.0.1) (requirements.txt)"), e.getMessage());
        assertEquals(3, e.exitCode());
    }
}
