package dev.pianola.install;

import dev.pianola.BadInputException;
import dev.pianola.PianolaException;
import dev.pianola.models.Installable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Python virtual environments the exporters run in, made on demand: {@code python -m venv},
 * then the recipe's {@code pip install} steps with the project's pinned requirements files. A
 * stamp in the environment records the recipe it was made from (its steps and the requirements
 * files' content), so an environment is made once and made again when the pins change. An
 * environment the user gives ({@code --venv}) is never changed: its packages are checked against the pins.
 */
public final class PythonEnvironments {
    private static final String STAMP = ".pianola-env";

    private final Path root;
    private final Path dir;

    /** {@code root}: the repository (requirements files are relative to it); {@code dir}: where the environments live. */
    public PythonEnvironments(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /** {@code $PIANOLA_VENVS}, else {@code $XDG_CACHE_HOME/pianola/venvs}, else {@code ~/.cache/pianola/venvs}. */
    public static Path defaultDir(Map<String, String> env, Path home) {
        if (set(env.get("PIANOLA_VENVS"))) return Path.of(env.get("PIANOLA_VENVS"));
        if (set(env.get("XDG_CACHE_HOME"))) return Path.of(env.get("XDG_CACHE_HOME"), "pianola", "venvs");
        return home.resolve(".cache/pianola/venvs");
    }

    private static boolean set(String s) {
        return s != null && !s.isBlank();
    }

    /** Where {@code env} lives. */
    public Path dirOf(Installable.PythonEnv env) {
        return dir.resolve(env.name());
    }

    /** Whether {@code env} is made, from the recipe as it is now. */
    public boolean ready(Installable.PythonEnv env) {
        Path d = dirOf(env);
        try {
            return Files.isExecutable(python(d)) && Files.isRegularFile(d.resolve(STAMP)) && Files.readString(d.resolve(STAMP)).strip().equals(recipeHash(env));
        } catch (IOException e) {
            return false;
        }
    }

    /** The first of the recipe's interpreters on PATH, or null. */
    public static Path interpreter(Installable.PythonEnv env, String path) {
        for (String name : env.pythons()) {
            for (String d : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    /** The environment's interpreter. */
    public static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }

    /**
     * Makes {@code env} unless it is ready, and returns its interpreter. pip's output goes to
     * {@code lines} and to pip.log in the environment.
     */
    public Path ensure(Installable.PythonEnv env, Consumer<String> lines) {
        Path d = dirOf(env);
        if (ready(env)) return python(d);
        Path maker = interpreter(env, System.getenv("PATH"));
        if (maker == null) throw missingInterpreter(env);
        Path log = d.resolve("pip.log");
        try {
            Files.createDirectories(d);
            Files.deleteIfExists(d.resolve(STAMP));
            try (PrintWriter logWriter = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                Consumer<String> both = line -> {
                    logWriter.println(line);
                    lines.accept(line);
                };
                // an environment left half made by a cut run is completed: pip skips what is there
                if (!Files.isExecutable(python(d))) run(List.of(maker.toString(), "-m", "venv", d.toString()), both, "python -m venv", log);
                for (List<String> step : env.pipSteps()) {
                    List<String> command = new ArrayList<>(List.of(python(d).toString(), "-m", "pip", "install", "--disable-pip-version-check"));
                    for (int i = 0; i < step.size(); i++) {
                        command.add(step.get(i));
                        if (step.get(i).equals("-r") && i + 1 < step.size()) command.add(root.resolve(step.get(++i)).toString());
                    }
                    run(command, both, "pip install", log);
                }
            }
            checkPins(env, python(d));
            Files.writeString(d.resolve(STAMP), recipeHash(env) + "\n");
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, d + ": cannot make the Python environment: " + e.getMessage(), e);
        }
        return python(d);
    }

    public static PianolaException missingInterpreter(Installable.PythonEnv env) {
        String first = env.pythons().get(0);
        return new PianolaException(PianolaException.EXIT_OTHER, "the exporter's Python environment needs " + String.join(" or ", env.pythons())
                + " on PATH, with its venv module (e.g. apt-get install " + first + " " + first + "-venv), or pass --venv DIR with the pinned packages");
    }

    /**
     * Refuses an environment whose packages are not the pinned ones (every {@code name==version}
     * of the recipe's requirements files), naming the first few that differ.
     */
    public void checkPins(Installable.PythonEnv env, Path python) {
        if (!Files.isExecutable(python)) throw new BadInputException(python, "no Python interpreter here (--venv takes a virtual environment's folder)");
        Map<String, String> pins = pins(env);
        StringBuilder script = new StringBuilder("import importlib.metadata as m, sys\nfor n in sys.argv[1:]:\n    try:\n        print(n, m.version(n))\n"
                + "    except m.PackageNotFoundError:\n        print(n, '-')\n");
        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", script.toString()));
        command.addAll(pins.keySet());
        List<String> out = new ArrayList<>();
        run(command, out::add, "python", null);
        List<String> wrong = new ArrayList<>();
        for (String line : out) {
            String[] parts = line.strip().split(" ");
            if (parts.length != 2) continue;
            String want = pins.get(parts[0]);
            String have = parts[1].replaceFirst("\\+.*$", ""); // a local label (torch 2.5.1+cu124) satisfies the pin 2.5.1, as in pip
            if (want != null && !want.equals(have)) wrong.add(parts[0] + " " + (parts[1].equals("-") ? "missing" : parts[1]) + " (pinned " + want + ")");
        }
        if (!wrong.isEmpty()) {
            throw new BadInputException(python, "not the exporter's pinned packages: " + String.join(", ", wrong.subList(0, Math.min(4, wrong.size())))
                    + (wrong.size() > 4 ? " and " + (wrong.size() - 4) + " more" : "") + " (" + String.join(", ", env.requirementFiles()) + ")");
        }
    }

    /** name -> version of every exact pin in the recipe's requirements files, names as pip normalises them. */
    Map<String, String> pins(Installable.PythonEnv env) {
        Map<String, String> pins = new LinkedHashMap<>();
        for (String file : env.requirementFiles()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(root.resolve(file));
            } catch (IOException e) {
                throw new PianolaException(PianolaException.EXIT_OTHER, root.resolve(file) + ": cannot read the pinned requirements: " + e.getMessage(), e);
            }
            for (String line : lines) {
                String l = line.replaceFirst("#.*$", "").replaceFirst(";.*$", "").strip();
                int eq = l.indexOf("==");
                if (eq > 0) pins.put(l.substring(0, eq).strip().toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-"), l.substring(eq + 2).strip());
            }
        }
        return pins;
    }

    /** The recipe as a hash: its name, steps and the content of the requirements files they name. */
    String recipeHash(Installable.PythonEnv env) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update((env.name() + "\n" + env.pipSteps() + "\n").getBytes(StandardCharsets.UTF_8));
        for (String f : env.requirementFiles()) md.update(Files.readAllBytes(root.resolve(f)));
        return HexFormat.of().formatHex(md.digest());
    }

    /** Runs {@code command}, each output line to {@code lines}; a failure names {@code what} and the log. */
    static void run(List<String> command, Consumer<String> lines, String what, Path log) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, command.get(0) + ": cannot run it: " + e.getMessage(), e);
        }
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.accept(line);
                if (!line.isBlank()) last = line.strip();
            }
            int code = p.waitFor();
            if (code != 0) {
                throw new PianolaException(PianolaException.EXIT_OTHER, what + " failed (exit " + code + "): " + last
                        + (log != null ? " (the whole output: " + log + ")" : ""));
            }
        } catch (IOException e) {
            p.destroy();
            throw new PianolaException(PianolaException.EXIT_OTHER, what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new PianolaException(PianolaException.EXIT_OTHER, what + ": interrupted", e);
        }
    }
}
