package io.meridian.model.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The file's shape, as Jackson sees it. Kept apart from the domain records so Jackson stays in
 * this package and the domain keeps its own validation; {@link TopologyReader} and
 * {@link TopologyWriter} translate between the two.
 */
final class Documents {
  private Documents() {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"apiVersion", "kind", "metadata", "regions", "links", "policies", "datasets"})
  record TopologyDoc(
      String apiVersion, String kind, MetadataDoc metadata, List<RegionDoc> regions,
      List<LinkDoc> links, List<PolicyDoc> policies, List<DatasetDoc> datasets) {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"name", "description"})
  record MetadataDoc(String name, String description) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"id", "name", "latitude", "longitude", "jurisdiction", "provider", "role"})
  record RegionDoc(
      String id, String name, Number latitude, Number longitude, String jurisdiction,
      String provider, String role) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"between", "rttMs", "jitterMs", "bandwidthMbps", "lossPercent", "encrypted"})
  record LinkDoc(
      List<String> between, Number rttMs, Number jitterMs, Number bandwidthMbps,
      Number lossPercent, Boolean encrypted) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "mode", "primary", "failoverPriority", "quorum", "syncAcks",
      "readConsistency", "staleness", "conflictResolution", "failover", "rpoTargetMs",
      "rtoTargetMs"})
  record PolicyDoc(
      String name, String mode, String primary,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failoverPriority,
      QuorumDoc quorum, Integer syncAcks, String readConsistency, StalenessDoc staleness,
      String conflictResolution, FailoverDoc failover, Long rpoTargetMs, Long rtoTargetMs) {}

  @JsonPropertyOrder({"n", "w", "r"})
  record QuorumDoc(Integer n, Integer w, Integer r) {}

  @JsonPropertyOrder({"maxLagMs", "maxLagVersions"})
  record StalenessDoc(Long maxLagMs, Long maxLagVersions) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"automatic", "detectionTimeoutMs"})
  record FailoverDoc(Boolean automatic, Long detectionTimeoutMs) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "replicas", "allowedJurisdictions", "policy"})
  record DatasetDoc(
      String name, List<String> replicas,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> allowedJurisdictions,
      String policy) {}
}
