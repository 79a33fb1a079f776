package dev.pianola.cli;

import picocli.CommandLine.Option;

/** How a command reports: options every command takes (those that write files take {@link CommonOptions}). */
class ReportOptions {
    @Option(names = "--json", description = "Print a JSON summary on standard output when done (one line per input).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or messages, only errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Show details, and a stack trace on errors.")
    boolean verbose;
}
