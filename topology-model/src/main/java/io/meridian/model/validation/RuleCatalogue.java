package io.meridian.model.validation;

import java.util.List;
import java.util.Optional;

/**
 * Every validation rule Meridian knows, in the order they are documented: references and
 * identity first, then placement and policy, then the network. The command line lists them
 * ({@code meridian validate --list-rules}) and docs/validation-rules.md describes each one.
 */
public final class RuleCatalogue {
  private static final List<Rule> ALL = List.of(
      new DanglingReferenceRule(),
      new DuplicateIdRule(),
      new DuplicateLinkRule(),
      new DuplicateReplicaRule(),
      new NoReplicasRule(),
      new PrimaryNotReplicaRule(),
      new MissingPrimaryRule(),
      new FailoverTargetNotReplicaRule(),
      new WitnessHoldsDataRule(),
      new ResidencyViolationRule(),
      new MissingQuorumRule(),
      new QuorumSizeMismatchRule(),
      new QuorumOverlapRule(),
      new QuorumDurabilityRule(),
      new SyncAcksRule(),
      new UnsupportedReadLevelRule(),
      new MissingStalenessBoundRule(),
      new TooFewVotersRule(),
      new LwwMultiPrimaryRule(),
      new CrdtWithoutMultiPrimaryRule(),
      new UnusedPolicyRule(),
      new IgnoredSettingRule(),
      new FasterThanLightRule(),
      new NoNetworkPathRule(),
      new SlowSyncLinkRule(),
      new UnencryptedLinkRule());

  private RuleCatalogue() {}

  /** Every rule, in documentation order. Rules are stateless and may be shared. */
  public static List<Rule> all() {
    return ALL;
  }

  /** The rule with this code, when there is one. */
  public static Optional<Rule> byCode(String code) {
    return ALL.stream().filter(rule -> rule.code().equals(code)).findFirst();
  }
}
