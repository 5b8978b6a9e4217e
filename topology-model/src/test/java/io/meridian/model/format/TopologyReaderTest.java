package io.meridian.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Bad input of every kind becomes a positioned, coded problem with a fix (never a stack trace), and
// good YAML or JSON loads.
class TopologyReaderTest {
  private static final String VALID = """
      apiVersion: meridian/v1
      kind: Topology
      metadata:
        name: reader
      regions:
        - id: eu-west
          latitude: 53.3
          longitude: -6.3
          jurisdiction: EU
        - id: eu-central
          latitude: 50.1
          longitude: 8.7
          jurisdiction: EU
      links:
        - between: [eu-west, eu-central]
          rttMs: 25
      policies:
        - name: orders-async
          mode: async
          primary: eu-west
      datasets:
        - name: orders
          replicas: [eu-west, eu-central]
          policy: orders-async
      """;

  @TempDir Path directory;

  private final TopologyReader reader = new TopologyReader();

  @Test
  void validYamlLoadsWithPositionsForItsNodes() throws TopologyFormatException {
    LoadedTopology loaded = reader.parse(VALID, FileFormat.YAML, "reader.yaml");

    assertThat(loaded.topology().regions()).extracting(r -> r.id().value())
        .containsExactly("eu-west", "eu-central");
    assertThat(loaded.sourceMap().find("/datasets/0/replicas/1")).get()
        .hasToString("23:25");
  }

  @Test
  void malformedYamlIsReportedWhereTheMistakeIs() {
    String text = VALID.replace("    longitude: -6.3", "   longitude: -6.3");

    TopologyFormatException e = failure(text, FileFormat.YAML);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "syntax-error", "8:4");
    assertThat(e.problems().get(0).message()).isEqualTo("this is not valid YAML: expected "
        + "<block end>, but found '<block mapping start>' (while parsing a block collection that "
        + "starts at line 6, column 3)");
  }

  @Test
  void tabIndentationIsReportedOnTheTabNotTheLineBefore() {
    String text = VALID.replace("  name: reader", "\tname: reader");

    TopologyFormatException e = failure(text, FileFormat.YAML);

    assertOnly(e, "syntax-error", "4:1");
    assertThat(e.problems().get(0).message()).contains("TAB");
  }

  @Test
  void unclosedQuoteIsReportedWhereTheQuoteOpens() {
    TopologyFormatException e = failure(VALID.replace("name: reader", "name: \"reader"),
        FileFormat.YAML);

    assertOnly(e, "syntax-error", "4:9");
  }

  @Test
  void wrongTypeNamesTheFieldAndWhatItGot() {
    TopologyFormatException e = failure(VALID.replace("latitude: 53.3", "latitude: north"),
        FileFormat.YAML);

    assertThat(e.unreadable()).isFalse();
    assertOnly(e, "wrong-type", "7:15");
    assertThat(e.problems().get(0).message())
        .isEqualTo("'latitude' must be a number, got text 'north'");
  }

  @Test
  void unquotedNoWhereTextBelongsIsRefusedRatherThanReadAsFalse() {
    TopologyFormatException e = failure(VALID.replace("name: reader", "name: NO"),
        FileFormat.YAML);

    assertOnly(e, "wrong-type", "4:9");
    assertThat(e.problems().get(0).message()).contains("got false");
    assertThat(e.problems().get(0).fix()).contains("quote it");
  }

  @Test
  void numberWhereARegionIdBelongsIsRefusedRatherThanRewritten() {
    TopologyFormatException e = failure(VALID.replace("id: eu-central", "id: 012"),
        FileFormat.YAML);

    assertOnly(e, "wrong-type", "10:9");
  }

  @Test
  void unknownFieldSuggestsTheClosestKnownName() {
    TopologyFormatException e = failure(VALID.replace("latitude: 53.3", "lattitude: 53.3"),
        FileFormat.YAML);

    assertOnly(e, "unknown-field", "7:5");
    assertThat(e.problems().get(0).message()).isEqualTo("unknown field 'lattitude'");
    assertThat(e.problems().get(0).fix()).isEqualTo("did you mean 'latitude'?");
  }

  @Test
  void unknownFieldFarFromAnyNameListsTheKnownOnes() {
    TopologyFormatException e = failure(VALID.replace("rttMs: 25", "rttMs: 25\n    colour: red"),
        FileFormat.YAML);

    assertThat(e.problems().get(0).fix()).startsWith("known fields here: bandwidthMbps, between");
  }

  @Test
  void duplicateKeyIsReportedAtTheSecondKey() {
    TopologyFormatException e = failure(
        VALID.replace("latitude: 53.3", "latitude: 53.3\n    latitude: 54"), FileFormat.YAML);

    assertOnly(e, "duplicate-key", "8:5");
  }

  @Test
  void newerApiVersionIsRefusedWithAdviceToUpgrade() {
    TopologyFormatException e = failure(VALID.replace("meridian/v1", "meridian/v2"),
        FileFormat.YAML);

    assertOnly(e, "unsupported-api-version", "1:13");
    assertThat(e.problems().get(0).message())
        .isEqualTo("apiVersion 'meridian/v2' is newer than this Meridian reads (meridian/v1)");
    assertThat(e.problems().get(0).fix()).isEqualTo("upgrade Meridian to open this file");
  }

  @Test
  void versionsAreComparedByNumberNotAsText() {
    assertThat(failure(VALID.replace("meridian/v1", "meridian/v10"), FileFormat.YAML)
        .problems().get(0).fix()).isEqualTo("upgrade Meridian to open this file");
    assertThat(failure(VALID.replace("meridian/v1", "meridian/v1beta1"), FileFormat.YAML)
        .problems().get(0).message())
        .isEqualTo("apiVersion 'meridian/v1beta1' is not a Meridian topology version");
  }

  @Test
  void missingApiVersionAsksForIt() {
    TopologyFormatException e = failure(VALID.replace("apiVersion: meridian/v1\n", ""),
        FileFormat.YAML);

    assertOnly(e, "missing-api-version", "1:1");
  }

  @Test
  void wrongKindIsRefused() {
    TopologyFormatException e = failure(VALID.replace("kind: Topology", "kind: Deployment"),
        FileFormat.YAML);

    assertOnly(e, "wrong-kind", "2:7");
  }

  @Test
  void documentThatIsAListIsNotATopology() {
    TopologyFormatException e = failure("- a\n- b\n", FileFormat.YAML);

    assertOnly(e, "not-a-topology", "1:1");
    assertThat(e.problems().get(0).message()).isEqualTo("the document is a list, not a mapping");
  }

  @Test
  void secondDocumentInTheStreamIsRefusedNotIgnored() {
    TopologyFormatException e = failure(VALID + "---\nkind: Other\n", FileFormat.YAML);

    assertOnly(e, "multiple-documents", "25:1");
  }

  @Test
  void yamlAliasIsRefusedRatherThanReadAsItsName() {
    String text = VALID.replace("replicas: [eu-west, eu-central]",
        "replicas: &both [eu-west, eu-central]\n    allowedJurisdictions: *both");

    assertOnly(failure(text, FileFormat.YAML), "unsupported-yaml", "24:27");
  }

  @Test
  void missingRequiredFieldIsReportedWhereItsParentStarts() {
    TopologyFormatException e = failure(VALID.replace("    latitude: 50.1\n", ""),
        FileFormat.YAML);

    assertOnly(e, "missing-field", "10:5");
    assertThat(e.problems().get(0).message()).isEqualTo("required field 'latitude' is missing");
  }

  @Test
  void everyOutOfRangeValueIsReportedNotJustTheFirst() {
    TopologyFormatException e = failure(VALID.replace("latitude: 53.3", "latitude: 95")
        .replace("rttMs: 25", "rttMs: -1"), FileFormat.YAML);

    assertThat(e.problems()).extracting(Problem::code, p -> p.position().toString())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid-value", "7:15"),
            org.assertj.core.groups.Tuple.tuple("invalid-value", "16:12"));
  }

  @Test
  void zeroBandwidthIsRefusedInPlainWords() {
    TopologyFormatException e = failure(
        VALID.replace("rttMs: 25", "rttMs: 25\n    bandwidthMbps: 0"), FileFormat.YAML);

    assertOnly(e, "invalid-value", "17:20");
    assertThat(e.problems().get(0).message())
        .isEqualTo("bandwidthMbps must be more than 0 and at most 1000000000, was 0");
  }

  @Test
  void jsonInputLoadsTheSameTopologyAsYaml() throws TopologyFormatException {
    Topology fromYaml = reader.parse(VALID, FileFormat.YAML, "reader.yaml").topology();
    String json = new TopologyWriter().toJson(fromYaml);

    LoadedTopology fromJson = reader.parse(json, FileFormat.JSON, "reader.json");

    assertThat(fromJson.topology()).isEqualTo(fromYaml);
    assertThat(fromJson.sourceMap().find("/regions/1/id")).isPresent();
  }

  @Test
  void jsonFileIsReadAsJsonByItsExtension() throws IOException, TopologyFormatException {
    Path file = directory.resolve("topology.json");
    Files.writeString(file, """
        {
          "apiVersion": "meridian/v1",
          "kind": "Topology",
          "metadata": {"name": "json"},
          "regions": [{"id": "eu-west", "latitude": 53.3, "longitude": -6.3, "jurisdiction": "EU"}]
        }
        """);

    assertThat(reader.read(file).topology().region(RegionId.of("eu-west"))).isPresent();
  }

  @Test
  void malformedJsonIsReportedAtTheOffendingCharacter() {
    String json = """
        {
          "apiVersion": "meridian/v1",
          "kind": "Topology",
          "metadata": {"name": "json",}
        }
        """;

    TopologyFormatException e = failure(json, FileFormat.JSON);

    assertOnly(e, "syntax-error", "4:31");
    assertThat(e.problems().get(0).message()).startsWith("this is not valid JSON");
  }

  @Test
  void deepNestingIsRefusedPlainly() {
    String deep = "apiVersion: meridian/v1\nkind: Topology\nmetadata:\n  name: "
        + "[".repeat(200) + "]".repeat(200) + "\n";

    TopologyFormatException e = failure(deep, FileFormat.YAML);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "too-deep", "4:72");
  }

  @Test
  void directoryIsRefused() {
    TopologyFormatException e = readFailure(directory);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "not-a-file", "1:1");
  }

  @Test
  void missingFileIsRefused() {
    assertOnly(readFailure(directory.resolve("absent.yaml")), "file-not-found", "1:1");
  }

  @Test
  void emptyFileIsRefused() throws IOException {
    Path empty = Files.createFile(directory.resolve("empty.yaml"));

    TopologyFormatException e = readFailure(empty);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "empty-file", "1:1");
  }

  @Test
  void fileOfOnlyCommentsIsRefusedAsEmpty() throws IOException {
    Path comments = Files.writeString(directory.resolve("comments.yaml"), "# nothing yet\n\n");

    assertOnly(readFailure(comments), "empty-file", "1:1");
  }

  @Test
  void binaryFileIsRefused() throws IOException {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H'};
    Path image = Files.write(directory.resolve("map.yaml"), png);

    TopologyFormatException e = readFailure(image);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "binary-file", "1:1");
  }

  @Test
  void textThatIsNotUtf8IsRefusedWithAdviceToSaveAsUtf8() throws IOException {
    Path latin1 = Files.write(directory.resolve("latin1.yaml"),
        VALID.replace("name: reader", "name: Zürich").getBytes(StandardCharsets.ISO_8859_1));

    TopologyFormatException e = readFailure(latin1);

    assertThat(e.problems().get(0).message()).isEqualTo("the file is not UTF-8 text");
    assertThat(e.problems().get(0).fix()).isEqualTo("save the file as UTF-8");
  }

  @Test
  void utf8FileWithByteOrderMarkLoads() throws IOException, TopologyFormatException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] text = VALID.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[bom.length + text.length];
    System.arraycopy(bom, 0, bytes, 0, bom.length);
    System.arraycopy(text, 0, bytes, bom.length, text.length);

    Path file = Files.write(directory.resolve("bom.yaml"), bytes);

    assertThat(reader.read(file).topology().name()).isEqualTo("reader");
  }

  @Test
  void fiftyMegabyteFileIsRefusedByItsSizeBeforeItIsRead() throws IOException {
    Path huge = directory.resolve("huge.yaml");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      // Sparse: the size is real but no 50 MB is written, and the reader must not read it.
      file.setLength(50L * 1000 * 1000);
    }

    TopologyFormatException e = readFailure(huge);

    assertThat(e.unreadable()).isTrue();
    assertOnly(e, "file-too-large", "1:1");
    assertThat(e.problems().get(0).message())
        .isEqualTo("the file is 50.0 MB; topology files are limited to 16 MB");
  }

  @Test
  void everyProblemIsAnErrorWithACodeAndAFix() {
    TopologyFormatException e = failure(VALID.replace("mode: async", "mode: asynch"),
        FileFormat.YAML);

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.severity()).isEqualTo(Severity.ERROR);
      assertThat(p.fix()).isEqualTo("did you mean 'async'?");
      assertThat(p.format("t.yaml")).isEqualTo("t.yaml:19:11: error: [invalid-value] unknown "
          + "mode 'asynch' (fix: did you mean 'async'?)");
    });
  }

  private TopologyFormatException failure(String text, FileFormat format) {
    TopologyFormatException e = catchThrowableOfType(TopologyFormatException.class,
        () -> reader.parse(text, format, "test"));
    assertThat(e).as("expected the reader to refuse the document").isNotNull();
    return e;
  }

  private TopologyFormatException readFailure(Path file) {
    TopologyFormatException e = catchThrowableOfType(TopologyFormatException.class,
        () -> reader.read(file));
    assertThat(e).as("expected the reader to refuse %s", file).isNotNull();
    return e;
  }

  private static void assertOnly(TopologyFormatException e, String code, String position) {
    List<Problem> problems = e.problems();
    assertThat(problems).extracting(Problem::code, p -> String.valueOf(p.position()))
        .as(problems.toString())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(code, position));
  }
}
