package io.meridian.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.api.v1.DatasetFailoverView;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves that clients pick the primary decided in the newest epoch: a restarted old primary
// that still believes in its own older epoch does not win, and an agent that names no primary
// has no say.
class CurrentPrimaryTest {
  private static DatasetFailoverView view(long epoch, String primary) {
    return DatasetFailoverView.newBuilder().setDataset("orders").setEpoch(epoch).setPrimaryRegion(primary).build();
  }

  @Test
  void theHighestEpochNamesThePrimary() {
    assertThat(CurrentPrimary.choose(List.of(view(2, "eu-central"), view(3, "us-east"), view(2, "eu-central"))))
        .contains("us-east");
    assertThat(CurrentPrimary.choose(List.of(view(3, "us-east"), view(1, "eu-central")))).contains("us-east");
  }

  @Test
  void viewsWithoutAPrimaryAreIgnoredAndNoViewsGiveNoAnswer() {
    assertThat(CurrentPrimary.choose(List.of(view(9, ""), view(1, "ap-southeast")))).contains("ap-southeast");
    assertThat(CurrentPrimary.choose(List.of())).isEmpty();
  }
}
