package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.TestRules;
import io.meridian.app.check.Validation;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that `meridian validate` prints compiler-style lines at the right file positions, exits
// 0, 1 or 2 as documented, answers bad input with a one-line message instead of a stack trace,
// and writes a stable JSON report.
class ValidateCommandTest {
  private static final String FIXTURES = "src/test/resources/io/meridian/app/cli/";
  private static final String SAMPLE = "../samples/global-async.yaml";
  private static final String VALID = FIXTURES + "valid.yaml";

  @TempDir
  Path temp;

  @Test
  void validSampleExitsZeroAndPrintsOnlyTheSummary() {
    CliRun run = CliRun.meridian("validate", SAMPLE);

    assertThat(run.status()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).containsExactly("1 file checked: 0 errors, 0 warnings");
  }

  @Test
  void unknownFieldIsReportedAtItsLineAndColumnWithASuggestion() {
    String file = FIXTURES + "unknown-field.yaml";

    CliRun run = CliRun.meridian("validate", file);

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.outLines()).containsExactly(file
        + ":16:5: error: [unknown-field] unknown field 'latitud' (fix: did you mean 'latitude'?)");
    assertThat(run.errLines()).containsExactly("1 file checked: 1 error, 0 warnings");
  }

  @Test
  void wrongTypeIsAnErrorAtTheValue() {
    String file = FIXTURES + "wrong-type.yaml";

    CliRun run = CliRun.meridian("validate", file);

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.outLines()).containsExactly(file + ":32:12: error: [wrong-type] 'rttMs' must "
        + "be a number, got text 'slow' (fix: write a number here)");
  }

  @Test
  void validatorProblemsArePrintedAtTheLineAndColumnOfTheirNode() {
    String file = FIXTURES + "dangling-replica.yaml";
    ValidateCommand validate = new ValidateCommand(new DesignCheck(TestRules.DANGLING_REPLICAS));

    CliRun run = CliRun.command(validate, file);

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.outLines()).containsExactly(file + ":56:37: error: [dangling-reference] "
        + "dataset 'orders' places a replica in 'ap-south', which is not a region "
        + "(fix: define region 'ap-south' or remove it from the replicas)");
  }

  @Test
  void warningsAloneExitZeroAndInfoLinesNeedVerbose() {
    Validation advice = topology -> List.of(
        Problem.at("slow-sync", Severity.WARNING, "/links/0/rttMs", "writes wait 90 ms", "move"),
        Problem.at("note", Severity.INFO, "/links/1", "a remark", ""));
    ValidateCommand quiet = new ValidateCommand(new DesignCheck(advice));
    ValidateCommand verbose = new ValidateCommand(new DesignCheck(advice));

    CliRun plain = CliRun.command(quiet, VALID);
    CliRun loud = CliRun.command(verbose, "--verbose", VALID);

    assertThat(plain.status()).isZero();
    assertThat(plain.outLines()).containsExactly(
        VALID + ":28:12: warning: [slow-sync] writes wait 90 ms (fix: move)");
    assertThat(plain.errLines()).containsExactly("1 file checked: 0 errors, 1 warning");
    assertThat(loud.status()).isZero();
    assertThat(loud.outLines()).containsExactly(
        VALID + ":28:12: warning: [slow-sync] writes wait 90 ms (fix: move)",
        VALID + ":32:5: info: [note] a remark");
  }

  @Test
  void missingFileExitsTwoNamingTheFileAndWhatToDo() {
    String missing = temp.resolve("nowhere.yaml").toString();

    CliRun run = CliRun.meridian("validate", missing);

    assertUnreadable(run, missing + ":1:1: error: [file-not-found] no such file "
        + "(fix: check the path and spelling)");
  }

  @Test
  void directoryExitsTwo() {
    CliRun run = CliRun.meridian("validate", temp.toString());

    assertUnreadable(run, temp + ":1:1: error: [not-a-file] this is a directory, not a topology "
        + "file (fix: name a .yaml or .json file, e.g. " + temp.resolve("*.yaml") + ")");
  }

  @Test
  void emptyFileExitsTwo() {
    String file = FIXTURES + "empty.yaml";

    CliRun run = CliRun.meridian("validate", file);

    assertUnreadable(run, file + ":1:1: error: [empty-file] the file is empty "
        + "(fix: start from one of the samples, e.g. samples/global-async.yaml)");
  }

  @Test
  void binaryFileExitsTwo() throws IOException {
    Path binary = Files.write(temp.resolve("picture.yaml"), new byte[] {(byte) 0x89, 'P', 'N',
        'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});

    CliRun run = CliRun.meridian("validate", binary.toString());

    assertUnreadable(run, binary + ":1:1: error: [binary-file] this is a binary file, not YAML "
        + "or JSON text (fix: name a .yaml or .json topology file)");
  }

  @Test
  void fiftyMegabyteFileIsRefusedWithoutReadingIt() throws IOException {
    Path huge = temp.resolve("huge.yaml");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(50L * 1000 * 1000);
    }

    CliRun run = CliRun.meridian("validate", huge.toString());

    assertUnreadable(run, huge + ":1:1: error: [file-too-large] the file is 50.0 MB; topology "
        + "files are limited to 16 MB (fix: check this is the right file; a topology of "
        + "thousands of regions is well under the limit)");
  }

  @Test
  void malformedYamlExitsTwoAtTheBrokenPlace() {
    String file = FIXTURES + "malformed.yaml";

    CliRun run = CliRun.meridian("validate", file);

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    // The line is the unclosed list's; the column is the YAML parser's to choose.
    assertThat(run.outLines()).singleElement().asString()
        .matches(Pattern.quote(file)
            + ":7:\\d+: error: \\[syntax-error\\] this is not valid YAML.*")
        .endsWith("(fix: check indentation (spaces, not tabs), colons and quotes near this "
            + "place)");
    assertNoStackTrace(run);
  }

  @Test
  void oneUnreadableFileAmongValidOnesStillExitsTwo() {
    CliRun run = CliRun.meridian("validate", SAMPLE, FIXTURES + "unknown-field.yaml",
        FIXTURES + "empty.yaml");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.outLines()).hasSize(2);
    assertThat(run.errLines())
        .containsExactly("3 files checked: 2 errors, 0 warnings, 1 file unreadable");
  }

  @Test
  void unknownOptionIsAUsageErrorWithExitTwo() {
    CliRun run = CliRun.meridian("validate", "--strict", SAMPLE);

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).containsExactly(
        "meridian validate: Unknown option: '--strict'",
        "Try 'meridian validate --help' for usage.");
  }

  @Test
  void noFileIsAUsageError() {
    CliRun run = CliRun.meridian("validate");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("Missing required parameter: 'FILE'");
  }

  @Test
  void unknownFormatIsAUsageError() {
    CliRun run = CliRun.meridian("validate", "--format", "xml", SAMPLE);

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("Invalid value for option '--format'");
  }

  @Test
  void jsonFormatIsOneDocumentWithEveryProblemField() throws IOException {
    String broken = FIXTURES + "unknown-field.yaml";

    CliRun run = CliRun.meridian("validate", "--format", "json", SAMPLE, broken);

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("format").asText()).isEqualTo(ValidationJson.FORMAT);
    assertThat(report.path("valid").asBoolean(true)).isFalse();
    assertThat(report.path("exitCode").asInt()).isEqualTo(1);
    assertThat(report.path("summary").path("files").asInt()).isEqualTo(2);
    assertThat(report.path("summary").path("errors").asInt()).isEqualTo(1);
    JsonNode files = report.path("files");
    assertThat(files).hasSize(2);
    assertThat(files.get(0).path("file").asText()).isEqualTo(SAMPLE);
    assertThat(files.get(0).path("valid").asBoolean()).isTrue();
    assertThat(files.get(0).path("problems")).isEmpty();
    JsonNode problem = files.get(1).path("problems").get(0);
    Set<String> fields = new TreeSet<>();
    problem.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("code", "column", "fix", "line", "message", "path",
        "severity");
    assertThat(problem.path("code").asText()).isEqualTo("unknown-field");
    assertThat(problem.path("severity").asText()).isEqualTo("error");
    assertThat(problem.path("line").asInt()).isEqualTo(16);
    assertThat(problem.path("column").asInt()).isEqualTo(5);
    assertThat(problem.path("path").asText()).isEqualTo("/regions/1/latitud");
    assertThat(problem.path("fix").asText()).isEqualTo("did you mean 'latitude'?");
  }

  @Test
  void jsonFormatReportsUnreadableFilesToo() throws IOException {
    CliRun run = CliRun.meridian("validate", "--format=JSON", FIXTURES + "empty.yaml");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    JsonNode file = new ObjectMapper().readTree(run.out()).path("files").get(0);
    assertThat(file.path("readable").asBoolean(true)).isFalse();
    assertThat(file.path("problems").get(0).path("code").asText()).isEqualTo("empty-file");
  }

  private static void assertUnreadable(CliRun run, String expectedLine) {
    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.outLines()).containsExactly(expectedLine);
    assertThat(run.errLines())
        .containsExactly("1 file checked: 1 error, 0 warnings, 1 file unreadable");
    assertNoStackTrace(run);
  }

  private static void assertNoStackTrace(CliRun run) {
    assertThat(run.all()).doesNotContain("\tat ").doesNotContain("Exception");
  }
}
