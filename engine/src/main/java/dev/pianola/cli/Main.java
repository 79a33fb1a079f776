package dev.pianola.cli;

import dev.pianola.PianolaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/** {@code pianola}: the command line. Every subcommand is one small class in this package. */
@Command(name = "pianola",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "An AI piano player: turns songs into piano arrangements you can play, on the embedded Basic Pitch model, "
                        + "with no download, and continues what you play. Outputs are standard MIDI files that open in any DAW.",
                "",
                "Start with:  pianola cover song.wav -o song.piano.mid --render song.piano.wav --piano-roll song.piano.png"},
        subcommands = {CoverCommand.class, TranscribeCommand.class, RenderCommand.class, ContinueCommand.class, ComposeCommand.class, DeviceCommand.class, ModelsCommand.class, PluginsCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 other failure, 2 usage (a command line that does not parse, or an output that exists "
                + "without --force), 3 bad input (a file, or an option value out of range), 4 model problem, 5 device problem "
                + "(pianola device: no JACK server, a JACK port that does not exist; --device cuda where CUDA cannot run).",
                "Models live in $PIANOLA_MODELS, else $XDG_DATA_HOME/pianola/models, else ~/.local/share/pianola/models "
                        + "(scripts/setup fetches the embedded one)."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line in this JVM and returns its exit code (the tests use this too). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        setLogLevel(args);
        ArrangementOptions.publishHelpValues();
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpAutoWidth(true);
        helpWidth(System.getenv("COLUMNS")).ifPresent(cli::setUsageHelpWidth);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExitCodeExceptionMapper(e -> e instanceof PianolaException pe ? pe.exitCode() : PianolaException.EXIT_OTHER);
        cli.setParameterExceptionHandler((ex, argv) -> {
            CommandLine c = ex.getCommandLine();
            String suggestion = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                suggestion = "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
            }
            c.getErr().println("pianola: " + ex.getMessage() + suggestion + " (see: " + c.getCommandSpec().qualifiedName() + " --help)");
            return PianolaException.EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            boolean verbose = matched(parsed, "--verbose");
            if (ex instanceof PianolaException pe) {
                c.getErr().println("pianola: " + pe.getMessage());
                boolean json = matched(parsed, "--json");
                // a script reading --json gets a line saying what failed instead of nothing
                if (json) {
                    c.getOut().println(Summary.error(c.getCommandSpec().qualifiedName().replaceFirst("^pianola ", ""), null, pe).toJson());
                    c.getOut().flush();
                }
            } else {
                c.getErr().println("pianola: unexpected error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
            }
            if (verbose) ex.printStackTrace(c.getErr());
            c.getErr().flush();
            return c.getExitCodeExceptionMapper().getExitCode(ex);
        });
        return cli.execute(args);
    }

    /** Whether {@code option} was given to the command or any of its subcommands (models install --json). */
    private static boolean matched(CommandLine.ParseResult parsed, String option) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) if (p.hasMatchedOption(option)) return true;
        return false;
    }

    /** The width the shell says its terminal has (COLUMNS, exported by most shells), when picocli cannot ask the terminal itself. */
    static java.util.OptionalInt helpWidth(String columns) {
        try {
            int width = columns == null ? 0 : Integer.parseInt(columns.trim());
            return width >= 55 ? java.util.OptionalInt.of(Math.min(width, 200)) : java.util.OptionalInt.empty();
        } catch (NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * slf4j-simple reads its level once, when the first logger is made: set it from the flags first.
     * --verbose shows the commands' own details, not the engine's debug log: PIANOLA_LOG=debug is for
     * developers. The JDK's preferences store says INFO when it makes its folder on a first run
     * (the SoftSynthesizer reads preferences): not the user's business.
     */
    private static void setLogLevel(String[] args) {
        for (String a : args) {
            if (a.equals("-q") || a.equals("--quiet")) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        String level = System.getenv("PIANOLA_LOG");
        if (level != null && level.matches("(?i)trace|debug|info|warn|error|off")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(java.util.Locale.ROOT));
        }
        PREFS_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** Held, so that its level stays set (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger PREFS_LOG = java.util.logging.Logger.getLogger("java.util.prefs");

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"pianola " + (v == null ? "dev" : v), "Java " + System.getProperty("java.version")};
        }
    }
}
