package io.meridian.app.live;

import static io.meridian.app.live.LiveFixtures.cut;
import static io.meridian.app.live.LiveFixtures.link;
import static io.meridian.app.live.LiveFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.app.check.DesignCheck;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

// Proves, headless and without agents, that the live window shows what the session merged at
// its steady tick: overlays and particles on the graph, the timeline table, tool bar actions
// enabled by the selection and disabled with the reason, and the particles switch.
@ExtendWith(ApplicationExtension.class)
class LiveViewTest {
  private static final Topology SAMPLE = new DesignCheck()
      .check(Path.of("../samples/global-async.yaml")).topology().orElseThrow().topology();
  private static final LinkKey ATLANTIC =
      LinkKey.between(RegionId.of("us-east"), RegionId.of("eu-central"));

  private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
  private LiveSession session;
  private LiveView view;

  @Start
  void start(Stage stage) {
    session = new LiveSession(List.of("us-east", "eu-central", "ap-southeast"),
        Map.of("orders", "us-east"), clock::get);
    LiveActions actions = new LiveActions() {
      @Override
      public Optional<String> unsupported(Action action) {
        return action == Action.KILL_REGION ? Optional.of("only for local rehearsals")
            : Optional.empty();
      }

      @Override
      public String cutLink(String a, String b) {
        return "cut";
      }

      @Override
      public String healLink(String a, String b) {
        return "healed";
      }

      @Override
      public String kill(String region) {
        return "killed";
      }

      @Override
      public String restart(String region) {
        return "restarted";
      }
    };
    view = new LiveView(new LiveViewModel(SAMPLE, session, actions, Runnable::run,
        Platform::runLater), null);
    stage.setScene(new Scene(view.root(), 1200, 760));
    stage.show();
    session.start();
    view.start();
  }

  @AfterEach
  void stop(FxRobot robot) {
    robot.interact(view::stop);
    session.close();
  }

  @Test
  void mergedInputsReachTheGraphAndTheTimelineAtTheTick(FxRobot robot) throws Exception {
    long now = clock.get();
    session.submit(snapshot(now, "eu-central", now, link("us-east", 120, 2, true)));
    session.submit(cut(now, "us-east", "ap-southeast"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(onFx(() -> view.graph().getLinkOverlays().get(ATLANTIC)).status())
          .isEqualTo(Status.OK);
      assertThat(onFx(() -> view.graph().getLinkOverlays().get(ATLANTIC)).badge())
          .isEqualTo("lag 120 ms · 2 v");
      assertThat(onFx(() -> Map.copyOf(view.graph().getLinkFlows()))).containsKey(ATLANTIC);
    });
    robot.clickOn("Timeline");
    TableView<?> timeline = robot.lookup("#live-timeline").queryAs(TableView.class);
    // The cut was submitted after the snapshot: a tick may have merged the snapshot (awaited
    // above) without it, and the next tick brings it.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(onFx(() -> List.copyOf(timeline.getItems())))
            .anySatisfy(e -> assertThat(e.toString()).contains("link to ap-southeast cut")));

    robot.clickOn("#live-particles");
    assertThat(onFx(() -> Map.copyOf(view.graph().getLinkFlows()))).isEmpty();
  }

  @Test
  void toolBarActionsFollowTheSelectionAndSayWhyWhenUnavailable(FxRobot robot) {
    Button cutButton = robot.lookup("#live-cut").queryAs(Button.class);
    Button kill = robot.lookup("#live-kill").queryAs(Button.class);
    assertThat(cutButton.isDisabled()).isTrue();
    assertThat(tooltip(cutButton)).isEqualTo("Select a link on the map first");

    robot.interact(() -> view.graph().setSelection(GraphElement.link(ATLANTIC)));
    assertThat(cutButton.isDisabled()).isFalse();
    robot.clickOn(cutButton);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(onFx(() -> List.copyOf(view.model().timeline())))
            .anySatisfy(e -> assertThat(e.text()).isEqualTo("cut link eu-central~us-east: done — cut")));

    robot.interact(() -> view.graph().setSelection(GraphElement.region(RegionId.of("us-east"))));
    assertThat(kill.isDisabled()).isTrue();
    assertThat(tooltip(kill)).isEqualTo("Kill region is not available: only for local "
        + "rehearsals");
  }

  private static String tooltip(Button button) {
    return ((Tooltip) button.getParent().getProperties().get("javafx.scene.control.Tooltip"))
        .getText();
  }

  /** Reads what the JavaFX thread owns on the JavaFX thread: the view changes it every tick. */
  private static <T> T onFx(java.util.concurrent.Callable<T> read) throws Exception {
    return org.testfx.util.WaitForAsyncUtils.asyncFx(read).get(10,
        java.util.concurrent.TimeUnit.SECONDS);
  }
}
