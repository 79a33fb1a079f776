package dev.pianola.cli;

import picocli.CommandLine.Option;

/** Options every job command takes. */
final class CommonOptions {
    @Option(names = "--force", description = "Overwrite output files that already exist.")
    boolean force;

    @Option(names = "--json", description = "Print a JSON summary on standard output when done.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or messages, only errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Show details, and a stack trace on errors.")
    boolean verbose;
}
