package io.meridian.app.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.Role;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

// Proves that `meridian failover` plans from the agents' views what an operator needs to decide:
// the new epoch, the target's lag (exact, or a lower bound when the primary is gone), what a
// forced failover would lose, and a clear refusal when the failover cannot or need not happen.
class FailoverPlanTest {
  private static final List<String> REPLICAS = List.of("eu", "us", "ap");

  private static DatasetFailoverView view(long epoch, String primary, Role role, long lastSequence, long lacking) {
    return DatasetFailoverView.newBuilder().setDataset("orders").setEpoch(epoch).setPrimaryRegion(primary)
        .setRole(role).setLastSequence(lastSequence).setLackingWritesKnown(lacking).build();
  }

  private static Map<String, DatasetFailoverView> healthy() {
    Map<String, DatasetFailoverView> views = new TreeMap<>();
    views.put("eu", view(3, "eu", Role.ROLE_PRIMARY, 120, 0));
    views.put("us", view(3, "eu", Role.ROLE_REPLICA, 117, 3));
    views.put("ap", view(2, "us", Role.ROLE_REPLICA, 90, 0));
    return views;
  }

  @Test
  void forcedFailoverStatesExactlyHowManyWritesTheTargetLacks() {
    FailoverPlan plan = FailoverPlan.plan("orders", "us", true, REPLICAS, healthy()).plan().orElseThrow();

    assertThat(plan.newEpoch()).isEqualTo(4);
    assertThat(plan.lagVersions()).isEqualTo(3);
    assertThat(plan.stale()).containsExactly("ap");
    assertThat(plan.confirmation())
        .contains("primary eu (epoch 3); us is at sequence 117, 3 changes behind.")
        .contains("3 acknowledged writes of eu would be missing from the new primary; they are quarantined at eu"
            + " as it takes the decision, with any it acknowledges before it stops");
  }

  @Test
  void withThePrimaryGoneTheLossIsALowerBoundFromTheTargetsView() {
    Map<String, DatasetFailoverView> views = healthy();
    views.remove("eu");

    FailoverPlan plan = FailoverPlan.plan("orders", "us", true, REPLICAS, views).plan().orElseThrow();

    assertThat(plan.lagExact()).isFalse();
    assertThat(plan.confirmation()).contains("not answering").contains("At least 3 acknowledged writes");
  }

  @Test
  void plannedSwitchoverNeedsTheLivePrimary() {
    Map<String, DatasetFailoverView> views = healthy();
    views.remove("eu");

    assertThat(FailoverPlan.plan("orders", "us", false, REPLICAS, views).problem()).hasValueSatisfying(problem ->
        assertThat(problem).contains("did not answer, so a planned switchover").contains("use --force"));
    assertThat(FailoverPlan.plan("orders", "us", false, REPLICAS, healthy()).plan().orElseThrow().confirmation())
        .contains("Planned switchover: eu stops taking writes until us has all of them");
  }

  @Test
  void refusesTargetsThatCannotOrNeedNotBePromoted() {
    assertThat(FailoverPlan.plan("orders", "mars", true, REPLICAS, healthy()).problem())
        .hasValue("region 'mars' is not a replica of dataset orders; its replicas are [eu, us, ap].");
    assertThat(FailoverPlan.plan("orders", "eu", true, REPLICAS, healthy()).problem())
        .hasValueSatisfying(problem -> assertThat(problem).contains("already the primary"));
    assertThat(FailoverPlan.plan("orders", "ap", true, REPLICAS, healthy()).problem())
        .hasValueSatisfying(problem -> assertThat(problem).contains("still at epoch 2 while epoch 3 was decided"));
    assertThat(FailoverPlan.plan("orders", "us", true, REPLICAS, Map.of()).problem())
        .hasValueSatisfying(problem -> assertThat(problem).contains("no agent of dataset orders answered"));
  }

  @Test
  void anUnansweringPrimaryThatAnnouncedNothingMoreIsNotReportedAsLosingNothing() {
    Map<String, DatasetFailoverView> views = healthy();
    views.remove("eu");
    views.put("us", view(3, "eu", Role.ROLE_REPLICA, 117, 0));

    assertThat(FailoverPlan.plan("orders", "us", true, REPLICAS, views).plan().orElseThrow().confirmation())
        .contains("eu does not answer, so what it acknowledged after its last heartbeat to us is unknown")
        .doesNotContain("nothing is lost");
  }
}
