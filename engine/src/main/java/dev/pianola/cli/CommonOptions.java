package dev.pianola.cli;

import picocli.CommandLine.Option;

/** Options every command that writes files takes: how it reports, and whether it may overwrite. */
final class CommonOptions extends ReportOptions {
    @Option(names = "--force", description = "Overwrite output files that already exist.")
    boolean force;
}
