package dev.pianola.cli;

import dev.pianola.PianolaException;
import dev.pianola.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code pianola plugins}: puts the LV2, CLAP and VST3 bundles the build made (plugin/target) where
 * DAWs look for them, takes them away again, and says what is installed where. Each installed
 * bundle carries a marker ({@value #MARKER}, beside its Java side) with the version and the Java it
 * was given; only folders with that marker are ever replaced or removed without --force.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        header = "Install the Pianola plug-in for your DAW (LV2, CLAP, VST3).",
        description = {"The Pianola plug-in for your DAW: LV2 (Ardour, REAPER, Qtractor, Carla), CLAP (Bitwig, REAPER, FL Studio, "
                + "Studio One) and VST3 (almost every DAW). Installs into your plug-in folders (~/.lv2, ~/.clap, ~/.vst3; --system: "
                + "/usr/lib/lv2, /usr/lib/clap, /usr/lib/vst3); then rescan plug-ins in your DAW.",
                "",
                "Start with:  pianola plugins install"},
        subcommands = {PluginsCommand.Install.class, PluginsCommand.Uninstall.class, PluginsCommand.ListInstalled.class})
final class PluginsCommand implements Runnable {
    /** The marker file an install writes beside the bundle's Java side. */
    static final String MARKER = "pianola-install.properties";
    /** The file the shim reads a configured Java from (native-shim/core/jvm_loader.h). */
    static final String JAVA_HOME_FILE = "java-home";
    /** VST3 hosts list presets from {presets}/Vendor/Plug-in/; ours go in a folder of their own there. */
    static final String VST3_PRESETS = "Pianola/Pianola/Pianola Factory";

    /** Where VST3 hosts look for presets: ~/.vst3/presets, or /usr/share/vst3/presets for every user. */
    static Path vst3Presets(boolean system) {
        return (system ? Path.of("/usr/share/vst3/presets") : home().resolve(".vst3/presets")).resolve(VST3_PRESETS);
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The three formats: where the build puts each bundle, its folder name, where its Java side lives in it. */
    enum Format {
        LV2("pianola.lv2", ".lv2", "/usr/lib/lv2", "pianola.lv2", ""),
        CLAP("clap/Pianola", ".clap", "/usr/lib/clap", "Pianola", ""),
        VST3("Pianola.vst3", ".vst3", "/usr/lib/vst3", "Pianola.vst3", "Contents/Resources");

        final String built, userDir, systemDir, name, javaSide;

        Format(String built, String userDir, String systemDir, String name, String javaSide) {
            this.built = built;
            this.userDir = userDir;
            this.systemDir = systemDir;
            this.name = name;
            this.javaSide = javaSide;
        }

        Path source(Path root) {
            return root.resolve("plugin/target").resolve(built);
        }

        Path target(boolean system) {
            return (system ? Path.of(systemDir) : home().resolve(userDir)).resolve(name);
        }

        Path javaSide(Path bundle) {
            return javaSide.isEmpty() ? bundle : bundle.resolve(javaSide);
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** $HOME as the shell has it (the DAW's view), else Java's idea of it. */
    static Path home() {
        String h = System.getenv("HOME");
        return Path.of(h == null || h.isBlank() ? System.getProperty("user.home") : h);
    }

    static Path root() {
        return Path.of(System.getProperty("pianola.root", "."));
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static Set<Format> formats(List<String> names) {
        if (names == null || names.isEmpty()) return EnumSet.allOf(Format.class);
        Set<Format> out = EnumSet.noneOf(Format.class);
        for (String n : names) {
            try {
                out.add(Format.valueOf(n.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--format " + n + ": not a plug-in format (lv2, clap or vst3)");
            }
        }
        return out;
    }

    /** The marker of an installed bundle, or null when the folder is not a Pianola install. */
    static Properties marker(Format f, Path bundle) {
        Path m = f.javaSide(bundle).resolve(MARKER);
        if (!Files.isRegularFile(m)) return null;
        Properties p = new Properties();
        try (var in = Files.newInputStream(m)) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        return p;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path x : walk.toList()) {
                Path y = to.resolve(from.relativize(x).toString());
                if (Files.isDirectory(x)) Files.createDirectories(y);
                else Files.copy(x, y, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Copies the plug-in bundles into your plug-in folders, each with the Java it will start (the one running this "
                    + "command, unless --java-home or --no-java-home), and the VST3 presets where VST3 hosts list them. An earlier "
                    + "Pianola install is replaced; a folder of the same name that is not Pianola's is left alone (--force replaces it)."})
    static final class Install implements Runnable {
        @Option(names = "--format", split = ",", paramLabel = "FORMAT", description = "lv2, clap, vst3 (default: all three).")
        List<String> format;

        @Option(names = "--system", description = "Install for every user, under /usr/lib (needs root).")
        boolean system;

        @Option(names = "--java-home", paramLabel = "DIR", description = "The Java the plug-in starts (Java 17 or newer: a folder with lib/server/libjvm.so). Default: the one running this command, ${sys:java.home}.")
        Path javaHome;

        @Option(names = "--no-java-home", description = "Write no Java: the plug-in then looks for a bundled runtime, $JAVA_HOME, then the system's Java.")
        boolean noJavaHome;

        @Mixin
        CommonOptions common;

        @Override
        public void run() {
            if (javaHome != null && noJavaHome) throw new UsageException("--java-home and --no-java-home: choose one");
            Path java = noJavaHome ? null : (javaHome != null ? javaHome : Path.of(System.getProperty("java.home"))).toAbsolutePath().normalize();
            if (java != null && !Files.isRegularFile(java.resolve("lib/server/libjvm.so")))
                throw new UsageException("--java-home " + java + ": no lib/server/libjvm.so there (a JDK or JRE 17 or newer is a folder that has one)");
            Set<Format> which = formats(format);
            // check everything first: nothing is half installed because of a problem found later
            for (Format f : which) {
                Path src = f.source(root());
                if (!Files.isDirectory(src))
                    throw new PianolaException(PianolaException.EXIT_OTHER, "the " + f.label() + " bundle is not built (" + src
                            + "): run ./pianola plugins install from the source folder, or mvn -pl plugin -am package -DskipTests");
                Path dest = f.target(system);
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && marker(f, dest) == null && !common.force)
                    throw new UsageException(dest + " exists and is not a Pianola install: left as it is (--force replaces it)");
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Format f : which) rows.add(install(f, f.source(root()), f.target(system), java));
            if (which.contains(Format.VST3)) installPresets(f -> f.javaSide(f.source(root())).resolve("presets"));
            if (common.json) {
                System.out.println(new Summary().put("command", "plugins install").put("plugins", rows).toJson());
            } else if (!common.quiet) {
                for (Map<String, Object> r : rows) System.out.printf("installed %-4s %s%n", r.get("format"), r.get("path"));
                System.out.println(java == null ? "Java: found when the plug-in loads (bundled runtime, $JAVA_HOME, then the system's)"
                        : "Java: " + java);
                System.out.println("Rescan plug-ins in your DAW; Pianola is a MIDI effect/instrument: put it on a MIDI or audio track.");
            }
        }

        /** The VST3 bundle's presets where VST3 hosts list them (a folder that is ours alone, replaced whole). */
        private void installPresets(java.util.function.Function<Format, Path> from) {
            Path src = from.apply(Format.VST3), dest = vst3Presets(system);
            if (!Files.isDirectory(src)) return;
            try {
                deleteTree(dest);
                Files.createDirectories(dest.getParent());
                copyTree(src, dest);
            } catch (IOException e) {
                throw new PianolaException(PianolaException.EXIT_OTHER, "cannot install the VST3 presets into " + dest + ": " + e.getMessage(), e);
            }
            if (!common.json && !common.quiet) System.out.println("installed vst3 presets " + dest);
        }

        private Map<String, Object> install(Format f, Path src, Path dest, Path java) {
            Path parent = dest.getParent();
            Path tmp = parent.resolve("." + dest.getFileName() + ".installing-" + ProcessHandle.current().pid());
            Path old = parent.resolve("." + dest.getFileName() + ".old-" + ProcessHandle.current().pid());
            try {
                Files.createDirectories(parent);
                deleteTree(tmp);
                copyTree(src, tmp);
                Path javaSide = f.javaSide(tmp);
                if (java != null) Files.writeString(javaSide.resolve(JAVA_HOME_FILE), java + "\n");
                Properties m = new Properties();
                m.setProperty("version", version());
                m.setProperty("format", f.label());
                m.setProperty("installed", Instant.now().toString());
                m.setProperty("source", src.toAbsolutePath().normalize().toString());
                if (java != null) m.setProperty("java-home", java.toString());
                try (var out = Files.newOutputStream(javaSide.resolve(MARKER))) {
                    m.store(out, "Pianola plug-in install (pianola plugins uninstall removes it)");
                }
                // the new bundle replaces the old one by renames: a DAW scanning now sees one or the other
                boolean had = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
                if (had) Files.move(dest, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
                if (had) deleteTree(old);
            } catch (FileAlreadyExistsException e) {
                throw new PianolaException(PianolaException.EXIT_OTHER, "cannot install " + dest + ": " + e.getFile() + " is in the way");
            } catch (IOException | UncheckedIOException e) {
                try {
                    deleteTree(tmp);
                } catch (IOException ignored) {
                    // best effort: the message below says what failed
                }
                throw new PianolaException(PianolaException.EXIT_OTHER, "cannot install " + dest + ": " + e.getMessage()
                        + (system(dest) ? " (--system needs root: sudo)" : ""), e);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("format", f.label());
            r.put("path", dest.toString());
            r.put("version", version());
            r.put("javaHome", java == null ? null : java.toString());
            return r;
        }

        private static boolean system(Path p) {
            return p.startsWith("/usr");
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Removes the Pianola plug-in bundles that `pianola plugins install` put in your plug-in folders (only those).")
    static final class Uninstall implements Runnable {
        @Option(names = "--format", split = ",", paramLabel = "FORMAT", description = "lv2, clap, vst3 (default: all three).")
        List<String> format;

        @Option(names = "--system", description = "The installs for every user, under /usr/lib (needs root).")
        boolean system;

        @Mixin
        CommonOptions common;

        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Format f : formats(format)) {
                Path dest = f.target(system);
                String state;
                if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    state = "not installed";
                } else if (marker(f, dest) == null && !common.force) {
                    state = "left alone: not a Pianola install (--force removes it)";
                } else {
                    try {
                        deleteTree(dest);
                        state = "removed";
                    } catch (IOException e) {
                        throw new PianolaException(PianolaException.EXIT_OTHER, "cannot remove " + dest + ": " + e.getMessage(), e);
                    }
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("format", f.label());
                r.put("path", dest.toString());
                r.put("state", state);
                rows.add(r);
            }
            if (formats(format).contains(Format.VST3)) {
                try {
                    deleteTree(vst3Presets(system)); // the factory presets' folder is ours alone
                } catch (IOException e) {
                    throw new PianolaException(PianolaException.EXIT_OTHER, "cannot remove " + vst3Presets(system) + ": " + e.getMessage(), e);
                }
            }
            if (common.json) System.out.println(new Summary().put("command", "plugins uninstall").put("plugins", rows).toJson());
            else if (!common.quiet) for (Map<String, Object> r : rows) System.out.printf("%-4s %s: %s%n", r.get("format"), r.get("path"), r.get("state"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "What is installed where (your folders and the system's), which version, and which Java it starts.")
    static final class ListInstalled implements Runnable {
        @Mixin
        ReportOptions common;

        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Format f : Format.values()) {
                for (boolean system : new boolean[]{false, true}) {
                    Path dest = f.target(system);
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("format", f.label());
                    r.put("scope", system ? "system" : "user");
                    r.put("path", dest.toString());
                    Properties m = Files.exists(dest) ? marker(f, dest) : null;
                    r.put("installed", Files.exists(dest));
                    r.put("version", m == null ? (Files.exists(dest) ? "unknown (not installed by pianola plugins)" : null) : m.getProperty("version"));
                    r.put("javaHome", m == null ? null : m.getProperty("java-home", "found when loaded"));
                    rows.add(r);
                }
            }
            Path built = root().resolve("plugin/target");
            if (common.json) {
                System.out.println(new Summary().put("command", "plugins list").put("built", built.toString()).put("plugins", rows).toJson());
                return;
            }
            for (Map<String, Object> r : rows) {
                if (!(Boolean) r.get("installed")) {
                    System.out.printf("%-4s %-6s not installed (%s)%n", r.get("format"), r.get("scope"), r.get("path"));
                } else {
                    System.out.printf("%-4s %-6s %s: version %s, Java %s%n", r.get("format"), r.get("scope"), r.get("path"), r.get("version"),
                            r.get("javaHome") == null ? "?" : r.get("javaHome"));
                }
            }
        }
    }
}
