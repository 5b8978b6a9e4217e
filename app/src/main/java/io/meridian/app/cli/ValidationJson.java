package io.meridian.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.app.check.FileReport;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The machine-readable report of {@code meridian validate --format json}. Its shape is stable;
 * fields are only ever added:
 *
 * <pre>{@code
 * {
 *   "format": "meridian-validate/v1",
 *   "valid": false,
 *   "exitCode": 1,
 *   "summary": {"files": 1, "errors": 1, "warnings": 0, "infos": 0, "unreadable": 0},
 *   "files": [
 *     {"file": "a.yaml", "readable": true, "valid": false,
 *      "problems": [{"code": "unknown-field", "severity": "error", "message": "...",
 *                    "line": 7, "column": 5, "path": "/regions/0/nmae", "fix": "..."}]}
 *   ]
 * }
 * }</pre>
 */
public final class ValidationJson {
  /** The value of the {@code format} field; bumped only if a field changes meaning. */
  public static final String FORMAT = "meridian-validate/v1";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ValidationJson() {}

  /** The report for {@code reports}, which ended with {@code exitCode}, as indented JSON. */
  public static String write(List<FileReport> reports, int exitCode) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("valid", exitCode == ExitCodes.OK);
    root.put("exitCode", exitCode);
    ObjectNode summary = root.putObject("summary");
    summary.put("files", reports.size());
    summary.put("errors", reports.stream().mapToLong(r -> r.count(Severity.ERROR)).sum());
    summary.put("warnings", reports.stream().mapToLong(r -> r.count(Severity.WARNING)).sum());
    summary.put("infos", reports.stream().mapToLong(r -> r.count(Severity.INFO)).sum());
    summary.put("unreadable", reports.stream().filter(FileReport::unreadable).count());
    ArrayNode files = root.putArray("files");
    for (FileReport report : reports) {
      ObjectNode file = files.addObject();
      file.put("file", report.file());
      file.put("readable", !report.unreadable());
      file.put("valid", report.isValid());
      ArrayNode problems = file.putArray("problems");
      for (Problem problem : report.problems()) {
        SourcePosition at = problem.sourcePosition().orElse(SourcePosition.START);
        ObjectNode entry = problems.addObject();
        entry.put("code", problem.code());
        entry.put("severity", problem.severity().label());
        entry.put("message", problem.message());
        entry.put("line", at.line());
        entry.put("column", at.column());
        entry.put("path", problem.path());
        entry.put("fix", problem.fix());
      }
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serialises; this would be a Jackson bug.
      throw new UncheckedIOException(e);
    }
  }
}
