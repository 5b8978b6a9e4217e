/**
 * The {@code meridian} command line (picocli): the root command, which registers every
 * subcommand, and one class per subcommand. Commands write to the writers picocli hands them, so
 * tests run them in-process and read what they printed.
 */
package io.meridian.app.cli;
