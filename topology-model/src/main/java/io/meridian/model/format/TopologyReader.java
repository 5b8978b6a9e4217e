package io.meridian.model.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.meridian.model.Invariants;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourceMap;
import io.meridian.model.diagnostics.SourcePosition;
import io.meridian.model.diagnostics.Suggestions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads topology files (YAML or JSON, {@code apiVersion: meridian/v1}, {@code kind: Topology}).
 *
 * <p>Every failure becomes a {@link Problem} with the file position of the offending node and a
 * suggested fix: a missing or oversized file, a directory, an empty or binary file, malformed
 * YAML, wrong types, unknown fields (with "did you mean"), out-of-range values, and a newer
 * {@code apiVersion}. The reader never throws anything else for bad input.
 */
public final class TopologyReader {
  /** Files larger than this are refused before they are read: a topology is a few hundred KB. */
  public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  /** Deepest nesting accepted; a topology file nests about five levels. */
  static final int MAX_NESTING_DEPTH = 64;

  private static final int BINARY_SNIFF_BYTES = 8192;

  /** {@code meridian/v<number>}, optionally followed by a pre-release tag such as {@code beta1}. */
  private static final Pattern VERSION_FORM = Pattern.compile("meridian/v(\\d+)([a-z][a-z0-9]*)?");

  private final JsonFactory yamlFactory;
  private final JsonFactory jsonFactory;
  private final ObjectMapper binder;

  /** A reader with the format's settings. */
  public TopologyReader() {
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING_DEPTH)
        .maxStringLength(1024 * 1024)
        .build();
    yamlFactory = YAMLFactory.builder().streamReadConstraints(constraints).build();
    jsonFactory = JsonFactory.builder().streamReadConstraints(constraints).build();
    binder = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        // An unquoted YAML scalar such as NO, yes, 012 or 1.50 is a boolean or a number; taking it
        // as text would silently turn a name 'NO' into 'false' and '012' into '10'. Refuse it, and
        // the wrong-type problem tells the user to quote it.
        .withCoercionConfig(LogicalType.Textual, config -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }

  /**
   * Reads a file.
   *
   * @throws TopologyFormatException with positioned problems when the file is not a valid
   *     topology document
   */
  public LoadedTopology read(Path file) throws TopologyFormatException {
    String source = file.toString();
    byte[] bytes = readBytes(file, source);
    return parse(decode(bytes, source), FileFormat.of(file), source);
  }

  /**
   * Reads a document from text.
   *
   * @param text the document
   * @param format YAML or JSON
   * @param source a name for messages
   * @throws TopologyFormatException with positioned problems when the text is not a valid
   *     topology document
   */
  public LoadedTopology parse(String text, FileFormat format, String source)
      throws TopologyFormatException {
    if (text.isBlank()) {
      throw unreadable(source, "empty-file", "the file is empty",
          "start from one of the samples, e.g. samples/global-async.yaml");
    }
    Map<String, SourcePosition> positions = new HashMap<>();
    Map<String, SourcePosition> keyPositions = new HashMap<>();
    List<Problem> structureProblems = new ArrayList<>();
    JsonNode tree;
    try (JsonParser parser = (format == FileFormat.JSON ? jsonFactory : yamlFactory)
        .createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw unreadable(source, "empty-file", "the file holds no document",
            "start from one of the samples, e.g. samples/global-async.yaml");
      }
      try {
        tree = readNode(parser, "", positions, keyPositions, structureProblems);
        // Where the first document ends is where the next one's '---' stands.
        SourcePosition firstEnd = position(parser.currentTokenLocation());
        if (parser.nextToken() != null) {
          // A YAML stream may hold several documents; reading the first and ignoring the rest
          // would hide half of what the user wrote.
          structureProblems.add(new Problem("multiple-documents", Severity.ERROR,
              "the file holds more than one document; a topology file holds exactly one", "",
              firstEnd, "remove the '---' and what follows, or split it into its own file"));
        }
      } catch (StreamConstraintsException e) {
        throw new TopologyFormatException(source, List.of(new Problem("too-deep",
            Severity.ERROR, "the document nests deeper than " + MAX_NESTING_DEPTH
                + " levels; a topology nests about five", "",
            position(parser.currentLocation()),
            "check for unbalanced brackets or runaway indentation near this place")), true);
      }
    } catch (JsonProcessingException e) {
      throw new TopologyFormatException(source, List.of(syntaxProblem(e, format)), true);
    } catch (IOException e) {
      throw unreadable(source, "unreadable-file", "cannot read the document: " + e.getMessage(),
          "check the file is a YAML or JSON text file");
    }
    SourceMap sourceMap = new SourceMap(positions);
    if (!structureProblems.isEmpty()) {
      throw new TopologyFormatException(source, structureProblems, false);
    }
    if (!tree.isObject()) {
      throw new TopologyFormatException(source, List.of(new Problem("not-a-topology",
          Severity.ERROR, "the document is " + describe(tree) + ", not a mapping", "",
          SourcePosition.START,
          "a topology file starts with 'apiVersion: " + Topology.API_VERSION + "' and 'kind: "
              + Topology.KIND + "'")), true);
    }
    checkHeader((ObjectNode) tree, sourceMap, source);
    Documents.TopologyDoc document;
    try {
      document = binder.readerFor(Documents.TopologyDoc.class).readValue(tree);
    } catch (UnrecognizedPropertyException e) {
      throw new TopologyFormatException(source,
          List.of(atKey(unknownField(e), keyPositions, sourceMap)), false);
    } catch (MismatchedInputException e) {
      throw new TopologyFormatException(source,
          List.of(wrongType(e, tree).locatedIn(sourceMap)), false);
    } catch (IOException e) {
      throw new TopologyFormatException(source, List.of(new Problem("invalid-document",
          Severity.ERROR, cleanMessage(e), "", SourcePosition.START, "")), false);
    }
    List<Problem> problems = new ArrayList<>();
    Topology topology = new DocumentConverter(problems).toTopology(document);
    if (!problems.isEmpty() || topology == null) {
      throw new TopologyFormatException(source,
          problems.stream().map(p -> p.locatedIn(sourceMap)).toList(), false);
    }
    return new LoadedTopology(topology, sourceMap, source);
  }

  private static byte[] readBytes(Path file, String source) throws TopologyFormatException {
    try {
      if (Files.isDirectory(file)) {
        throw unreadable(source, "not-a-file", "this is a directory, not a topology file",
            "name a .yaml or .json file, e.g. " + file.resolve("*.yaml"));
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw unreadable(source, "file-too-large", String.format(Locale.ROOT,
                "the file is %.1f MB; topology files are limited to %d MB", size / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)),
            "check this is the right file; a topology of thousands of regions is well under "
                + "the limit");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw unreadable(source, "file-not-found", "no such file", "check the path and spelling");
    } catch (IOException e) {
      throw unreadable(source, "unreadable-file", "cannot read the file: " + e.getMessage(),
          "check the file exists and is readable");
    }
  }

  private static String decode(byte[] bytes, String source) throws TopologyFormatException {
    int sniff = Math.min(bytes.length, BINARY_SNIFF_BYTES);
    for (int i = 0; i < sniff; i++) {
      if (bytes[i] == 0) {
        throw unreadable(source, "binary-file", "this is a binary file, not YAML or JSON text",
            "name a .yaml or .json topology file");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw unreadable(source, "binary-file", "the file is not UTF-8 text",
          "save the file as UTF-8");
    }
  }

  private static JsonNode readNode(
      JsonParser parser, String pointer, Map<String, SourcePosition> positions,
      Map<String, SourcePosition> keyPositions,
      List<Problem> structureProblems) throws IOException {
    JsonToken token = parser.currentToken();
    SourcePosition here = position(parser.currentTokenLocation());
    positions.put(pointer, here);
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          SourcePosition keyAt = position(parser.currentTokenLocation());
          parser.nextToken();
          String child = pointer + "/" + escape(name);
          keyPositions.put(child, keyAt);
          JsonNode value = readNode(parser, child, positions, keyPositions, structureProblems);
          if (object.has(name)) {
            structureProblems.add(new Problem("duplicate-key", Severity.ERROR,
                "key '" + name + "' appears twice in the same mapping", child, keyAt,
                "remove one of the two '" + name + "' entries"));
          }
          object.set(name, value);
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(readNode(parser, pointer + "/" + index, positions, keyPositions,
              structureProblems));
          index++;
        }
        return array;
      }
      case VALUE_STRING -> {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
          // Jackson returns an alias (*name) as the text of its name, not the anchored value.
          structureProblems.add(new Problem("unsupported-yaml", Severity.ERROR,
              "YAML aliases (*" + parser.getText() + ") are not supported in topology files",
              pointer, here, "write the value out in full"));
        }
        return nodes.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> nodes.numberNode(parser.getIntValue());
          case LONG -> nodes.numberNode(parser.getLongValue());
          default -> nodes.numberNode(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return nodes.numberNode(parser.getDoubleValue());
      }
      case VALUE_TRUE -> {
        return nodes.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return nodes.booleanNode(false);
      }
      case VALUE_NULL -> {
        return nodes.nullNode();
      }
      default -> throw new IOException("unexpected " + token);
    }
  }

  private static void checkHeader(ObjectNode root, SourceMap map, String source)
      throws TopologyFormatException {
    JsonNode apiVersion = root.get("apiVersion");
    String fix = "put 'apiVersion: " + Topology.API_VERSION + "' at the top of the file";
    if (apiVersion == null) {
      throw located(source, map, new Problem("missing-api-version", Severity.ERROR,
          "the file does not say its apiVersion", "", null, fix));
    }
    String version = apiVersion.asText();
    if (!Topology.API_VERSION.equals(version)) {
      boolean newer = isNewer(version);
      throw located(source, map, new Problem("unsupported-api-version", Severity.ERROR,
          newer
              ? "apiVersion '" + version + "' is newer than this Meridian reads ("
                  + Topology.API_VERSION + ")"
              : "apiVersion '" + version + "' is not a Meridian topology version",
          "/apiVersion", null,
          newer ? "upgrade Meridian to open this file" : fix));
    }
    JsonNode kind = root.get("kind");
    if (kind == null || !Topology.KIND.equals(kind.asText())) {
      throw located(source, map, new Problem("wrong-kind", Severity.ERROR,
          kind == null ? "the file does not say its kind"
              : "kind '" + kind.asText() + "' is not a " + Topology.KIND,
          kind == null ? "" : "/kind", null, "write 'kind: " + Topology.KIND + "'"));
    }
  }

  /**
   * Whether {@code version} is a later Meridian format: {@code meridian/v2}, {@code meridian/v10}
   * or {@code meridian/v2beta1}, compared by number (as text, v10 would sort before v2 and
   * v1beta1 after v1).
   */
  private static boolean isNewer(String version) {
    Matcher matcher = VERSION_FORM.matcher(version);
    if (!matcher.matches()) {
      return false;
    }
    Matcher current = VERSION_FORM.matcher(Topology.API_VERSION);
    Invariants.require(current.matches(), "API_VERSION must look like meridian/v1");
    String digits = matcher.group(1);
    return digits.length() > 9
        || Integer.parseInt(digits) > Integer.parseInt(current.group(1));
  }

  private static TopologyFormatException located(String source, SourceMap map, Problem problem) {
    return new TopologyFormatException(source, List.of(problem.locatedIn(map)), false);
  }

  /** An unknown field is the key itself, so it is reported where the key is written. */
  private static Problem atKey(
      Problem problem, Map<String, SourcePosition> keyPositions, SourceMap sourceMap) {
    SourcePosition key = keyPositions.get(problem.path());
    return key == null ? problem.locatedIn(sourceMap)
        : new Problem(problem.code(), problem.severity(), problem.message(), problem.path(), key,
            problem.fix());
  }

  private static Problem unknownField(UnrecognizedPropertyException e) {
    String name = e.getPropertyName();
    List<String> known = e.getKnownPropertyIds() == null ? List.of()
        : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
    String suggestion = Suggestions.closest(name, known).map(s -> "did you mean '" + s + "'?")
        .orElse("known fields here: " + String.join(", ", known));
    return Problem.at("unknown-field", Severity.ERROR, pointer(e),
        "unknown field '" + name + "'", suggestion);
  }

  private static Problem wrongType(MismatchedInputException e, JsonNode tree) {
    String pointer = pointer(e);
    JsonNode actual = tree.at(pointer.isEmpty() ? "" : pointer);
    String field = e.getPath().isEmpty() ? "document" : lastName(e);
    String expected = expectedType(e.getTargetType());
    String got = actual == null || actual.isMissingNode() ? "something else" : describe(actual);
    return Problem.at("wrong-type", Severity.ERROR, pointer,
        "'" + field + "' must be " + expected + ", got " + got,
        "write " + expected + " here" + (expected.equals("text") ? " (quote it: \"...\")" : ""));
  }

  private static String lastName(JsonMappingException e) {
    for (int i = e.getPath().size() - 1; i >= 0; i--) {
      JsonMappingException.Reference reference = e.getPath().get(i);
      if (reference.getFieldName() != null) {
        return reference.getFieldName()
            + (i < e.getPath().size() - 1 ? "[" + e.getPath().get(i + 1).getIndex() + "]" : "");
      }
    }
    return "document";
  }

  private static String expectedType(Class<?> type) {
    if (type == null) {
      return "a different kind of value";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
      return Integer.class.equals(type) || Long.class.equals(type) ? "a whole number" : "a number";
    }
    if (Boolean.class.equals(type) || boolean.class.equals(type)) {
      return "true or false";
    }
    if (String.class.equals(type)) {
      return "text";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  private static String describe(JsonNode node) {
    if (node.isTextual() && node.asText().isEmpty()) {
      return "nothing (the value is empty)";
    }
    if (node.isTextual()) {
      return "text '" + node.asText() + "'";
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    if (node.isBoolean()) {
      return node.asText() + " (YAML reads yes/no/true/false unquoted as a boolean)";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    return "nothing (null)";
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      pointer.append('/');
      pointer.append(reference.getFieldName() != null ? escape(reference.getFieldName())
          : Integer.toString(reference.getIndex()));
    }
    return pointer.toString();
  }

  private static Problem syntaxProblem(JsonProcessingException e, FileFormat format) {
    JsonLocation location = e.getLocation();
    SourcePosition at = location == null ? SourcePosition.START : position(location);
    String detail = cleanMessage(e);
    // Jackson places a YAML error at the last token it read, which can be lines before the
    // mistake (a tab on the next line is reported at the end of the previous one). SnakeYAML's
    // own marks say where the problem is and what construct it was reading.
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
      Mark problemMark = yaml.getProblemMark();
      Mark contextMark = yaml.getContextMark();
      boolean atEnd = yaml.getProblem().contains("end of stream")
          || yaml.getProblem().contains("<stream end>");
      Mark mark = atEnd && contextMark != null || problemMark == null ? contextMark : problemMark;
      if (mark != null) {
        at = new SourcePosition(mark.getLine() + 1, mark.getColumn() + 1);
      }
      detail = firstLine(yaml.getProblem());
      if (yaml.getContext() != null) {
        detail += " (" + firstLine(yaml.getContext())
            + (contextMark != null && mark != contextMark
                ? " that starts at line " + (contextMark.getLine() + 1) + ", column "
                    + (contextMark.getColumn() + 1)
                : "")
            + ")";
      }
    }
    return new Problem("syntax-error", Severity.ERROR,
        "this is not valid " + (format == FileFormat.JSON ? "JSON" : "YAML") + ": " + detail,
        "", at, format == FileFormat.JSON
            ? "check brackets, commas and quotes near this place"
            : "check indentation (spaces, not tabs), colons and quotes near this place");
  }

  private static String cleanMessage(Exception e) {
    String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage()
        : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    return firstLine(message);
  }

  private static String firstLine(String message) {
    String first = message.strip().lines().findFirst().orElse(message);
    return first.length() > 200 ? first.substring(0, 200) + "…" : first;
  }

  private static SourcePosition position(JsonLocation location) {
    return new SourcePosition(Math.max(1, location.getLineNr()),
        Math.max(1, location.getColumnNr()));
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static TopologyFormatException unreadable(
      String source, String code, String message, String fix) {
    return new TopologyFormatException(source,
        List.of(new Problem(code, Severity.ERROR, message, "", SourcePosition.START, fix)), true);
  }
}
