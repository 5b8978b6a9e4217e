package io.meridian.model.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.meridian.model.Dataset;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes topologies as YAML or JSON, in a stable field order so diffs stay small. Comments in a
 * file that was read are not kept: Jackson's YAML support does not carry them.
 */
public final class TopologyWriter {
  private final ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder()
          .stringQuotingChecker(new LineBreakQuotingChecker()).build())
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();
  private final ObjectMapper json = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  /**
   * Jackson's default quoting, plus double quotes for text holding a next-line character
   * (U+0085): unquoted, YAML reads it as a line break and folds it into a space, so the text would
   * not come back as written. In double quotes it is escaped.
   */
  private static final class LineBreakQuotingChecker extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needToQuoteValue(String value) {
      return value.indexOf('\u0085') >= 0 || super.needToQuoteValue(value);
    }
  }

  /** The topology as YAML text. */
  public String toYaml(Topology topology) {
    return write(yaml, topology);
  }

  /** The topology as JSON text. */
  public String toJson(Topology topology) {
    return write(json, topology) + System.lineSeparator();
  }

  /** The topology in the given format. */
  public String toText(Topology topology, FileFormat format) {
    return format == FileFormat.JSON ? toJson(topology) : toYaml(topology);
  }

  /**
   * Saves to {@code file} in the format its name implies, through a temporary file and an atomic
   * move so a crash mid-write never leaves half a file.
   */
  public void save(Topology topology, Path file) throws IOException {
    String text = toText(topology, FileFormat.of(file));
    Path absolute = file.toAbsolutePath();
    Path temporary = absolute.resolveSibling("." + absolute.getFileName() + ".tmp");
    Files.writeString(temporary, text, StandardCharsets.UTF_8);
    try {
      Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String write(ObjectMapper mapper, Topology topology) {
    try {
      return mapper.writeValueAsString(document(topology));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialise topology " + topology.name(), e);
    }
  }

  static Documents.TopologyDoc document(Topology t) {
    return new Documents.TopologyDoc(Topology.API_VERSION, Topology.KIND,
        new Documents.MetadataDoc(t.name(), t.description()),
        t.regions().stream().map(TopologyWriter::region).toList(),
        t.links().stream().map(TopologyWriter::link).toList(),
        t.policies().stream().map(TopologyWriter::policy).toList(),
        t.datasets().stream().map(TopologyWriter::dataset).toList());
  }

  private static Documents.RegionDoc region(Region r) {
    return new Documents.RegionDoc(r.id().value(), r.displayName(), number(r.latitude()),
        number(r.longitude()), r.jurisdiction().code(), r.provider(), r.role().fileName());
  }

  private static Documents.LinkDoc link(Link l) {
    return new Documents.LinkDoc(List.of(l.a().value(), l.b().value()), number(l.rttMs()),
        number(l.jitterMs()), number(l.bandwidthMbps()), number(l.lossPercent()), l.encrypted());
  }

  private static Documents.PolicyDoc policy(Policy p) {
    return new Documents.PolicyDoc(p.name(), p.mode().fileName(),
        p.primary() == null ? null : p.primary().value(),
        ids(p.failoverPriority()),
        p.quorum() == null ? null
            : new Documents.QuorumDoc(p.quorum().n(), p.quorum().w(), p.quorum().r()),
        p.syncAcks(), p.readConsistency().fileName(),
        p.staleness() == null ? null
            : new Documents.StalenessDoc(p.staleness().maxLagMs(), p.staleness().maxLagVersions()),
        p.conflictResolution().fileName(),
        new Documents.FailoverDoc(p.failover().automatic(), p.failover().detectionTimeoutMs()),
        p.rpoTargetMs(), p.rtoTargetMs());
  }

  private static Documents.DatasetDoc dataset(Dataset d) {
    return new Documents.DatasetDoc(d.name(), ids(d.replicas()),
        d.allowedJurisdictions().stream().map(Jurisdiction::code).toList(), d.policy());
  }

  private static List<String> ids(List<RegionId> ids) {
    return ids.stream().map(RegionId::value).toList();
  }

  /**
   * Whole numbers are written without a fractional part ({@code 80}, not {@code 80.0}). Negative
   * zero stays a double: as a whole number it would come back as plain zero, a different value.
   */
  private static Number number(double value) {
    boolean negativeZero = Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(-0.0);
    return value == Math.rint(value) && Math.abs(value) < 1e15 && !negativeZero
        ? (Number) (long) value : value;
  }
}
