package io.meridian.model.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.model.RegionId;
import io.meridian.model.analysis.LinkRef;
import io.meridian.model.analysis.TopologyAnalysis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Writes a {@link TopologyAnalysis} as JSON for scripts and the studio. The document starts with
 * {@code "format": "meridian/analysis/v1"}; fields follow the records' component order, region
 * ids and links are strings, enums are their file spellings, and numbers carry six significant
 * digits so the output is stable across platforms. Every field is documented in
 * {@code docs/analysis.md}.
 */
public final class AnalysisJson {
  /** The format name and version written at the top of every document. */
  public static final String FORMAT = "meridian/analysis/v1";

  private final ObjectMapper mapper;

  /** A writer with the format's settings. */
  public AnalysisJson() {
    SimpleModule module = new SimpleModule("meridian-analysis");
    module.addSerializer(RegionId.class, new ToStringSerializer<>());
    module.addSerializer(LinkRef.class, new ToStringSerializer<>());
    module.addSerializer(Double.class, new RoundingSerializer());
    module.addSerializer(double.class, new RoundingSerializer());
    mapper = JsonMapper.builder()
        .addModule(module)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
        .build();
  }

  /** The analysis as a JSON document, ending in a newline. */
  public String toJson(TopologyAnalysis analysis) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", FORMAT);
    root.setAll((ObjectNode) mapper.valueToTree(analysis));
    try {
      return mapper.writeValueAsString(root) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialise the analysis of " + analysis.topology(), e);
    }
  }

  private static final class ToStringSerializer<T> extends JsonSerializer<T> {
    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toString());
    }
  }

  /** Six significant digits; infinities and NaN (never produced by the analysis) become null. */
  private static final class RoundingSerializer extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value.isNaN() || value.isInfinite()) {
        gen.writeNull();
        return;
      }
      gen.writeNumber(Double.parseDouble(String.format(Locale.ROOT, "%.6g", value)));
    }
  }
}
