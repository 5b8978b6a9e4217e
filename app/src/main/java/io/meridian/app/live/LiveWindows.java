package io.meridian.app.live;

import io.meridian.model.Topology;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The studio's way into the live view: the Live menu (deploy and watch, connect to a running
 * deployment, open a recording) and the live windows it opens. One small hook for the designer:
 * {@link #menu(Supplier, Supplier, Supplier)}.
 */
public final class LiveWindows {
  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "meridian-live-worker");
    thread.setDaemon(true);
    return thread;
  });

  private LiveWindows() {}

  /**
   * The Live menu for the studio's menu bar.
   *
   * @param file the open design's file (null when unsaved)
   * @param topology the open design (null when none)
   * @param owner the studio window
   * @return the menu
   */
  public static Menu menu(Supplier<Path> file, Supplier<Topology> topology,
      Supplier<Window> owner) {
    return menu(file, topology, owner, new javafx.beans.property.SimpleBooleanProperty(false));
  }

  /**
   * The Live menu for the studio's menu bar, whose windows follow the studio's dark theme.
   *
   * @param file the open design's file (null when unsaved)
   * @param topology the open design (null when none)
   * @param owner the studio window
   * @param dark the studio's dark theme switch
   * @return the menu
   */
  public static Menu menu(Supplier<Path> file, Supplier<Topology> topology,
      Supplier<Window> owner, javafx.beans.value.ObservableValue<Boolean> dark) {
    MenuItem deploy = new MenuItem("Deploy locally and watch…");
    deploy.setId("live-deploy");
    deploy.setOnAction(e -> {
      Path path = file.get();
      if (path == null) {
        error(owner.get(), "Save the design first: a deployment runs a saved file.");
        return;
      }
      new DeployDialog(owner.get(), path, connection -> open(connection, owner.get(), dark))
          .show();
    });
    MenuItem connect = new MenuItem("Connect to a running deployment…");
    connect.setId("live-connect");
    connect.setOnAction(e -> connectDialog(owner.get(), topology.get(), dark));
    MenuItem recording = new MenuItem("Open a recording…");
    recording.setId("live-open-recording");
    recording.setOnAction(e -> LiveView.chooseRecording(owner.get()).ifPresent(
        path -> openRecording(path, topology.get(), owner.get(), dark)));
    return new Menu("Live", null, deploy, connect, recording);
  }

  /**
   * Opens a live window on a connection; closing it stops watching (the agents keep running).
   *
   * @param connection the watched deployment
   * @param owner the studio window, or null
   * @return the live view shown
   */
  public static LiveView open(LiveConnection connection, Window owner) {
    return open(connection, owner, new javafx.beans.property.SimpleBooleanProperty(false));
  }

  private static LiveView open(LiveConnection connection, Window owner,
      javafx.beans.value.ObservableValue<Boolean> dark) {
    Executor ui = Platform::runLater;
    LiveViewModel model = new LiveViewModel(connection.topology(), connection.session(),
        connection.actions(), BACKGROUND, ui);
    LiveView view = new LiveView(model, connection);
    view.darkProperty().bind(dark);
    Stage stage = new Stage();
    if (owner != null) {
      stage.initOwner(owner);
    }
    stage.setTitle(connection.topology().name() + " live — Meridian");
    stage.setScene(sceneFor(view));
    stage.setOnHidden(e -> {
      view.stop();
      view.darkProperty().unbind();
      BACKGROUND.execute(connection::close);
    });
    stage.show();
    view.start();
    return view;
  }

  private static void openRecording(Path path, Topology topology, Window owner,
      javafx.beans.value.ObservableValue<Boolean> dark) {
    if (topology == null) {
      error(owner, "Open the design the recording was made from first.");
      return;
    }
    BACKGROUND.execute(() -> {
      try {
        Recording recording = Recording.open(path);
        List<String> missing = recording.regions().stream()
            .filter(r -> topology.regions().stream().noneMatch(x -> x.id().value().equals(r)))
            .toList();
        if (!missing.isEmpty()) {
          Platform.runLater(() -> error(owner, path + " records regions " + missing
              + " that the open design " + topology.name() + " does not have; open the design "
              + "the recording was made from."));
          return;
        }
        Platform.runLater(() -> {
          LiveViewModel model = LiveViewModel.replaying(topology, recording, BACKGROUND,
              Platform::runLater);
          LiveView view = new LiveView(model, null);
          view.darkProperty().bind(dark);
          Stage stage = new Stage();
          stage.initOwner(owner);
          stage.setTitle(path.getFileName() + " (recording) — Meridian");
          stage.setScene(sceneFor(view));
          stage.setOnHidden(e -> {
            view.stop();
            view.darkProperty().unbind();
          });
          stage.show();
        });
      } catch (java.io.IOException e) {
        Platform.runLater(() -> error(owner, "Cannot open the recording: " + e.getMessage()));
      }
    });
  }

  private static void connectDialog(Window owner, Topology topology,
      javafx.beans.value.ObservableValue<Boolean> dark) {
    Stage stage = new Stage();
    stage.initOwner(owner);
    stage.setTitle("Connect to a running deployment — Meridian");
    TextField directory = new TextField();
    directory.setId("connect-state-dir");
    directory.setPromptText(".meridian/deployments/<name>, written by 'meridian deploy'");
    HBox.setHgrow(directory, Priority.ALWAYS);
    Button browse = new Button("Browse…");
    browse.setOnAction(e -> {
      DirectoryChooser chooser = new DirectoryChooser();
      chooser.setTitle("The deployment's state directory");
      java.io.File chosen = chooser.showDialog(stage);
      if (chosen != null) {
        directory.setText(chosen.getPath());
      }
    });
    TextField addresses = new TextField();
    addresses.setId("connect-addresses");
    addresses.setPromptText("or agent addresses: 127.0.0.1:44519, 127.0.0.1:40455 (uses the open "
        + "design)");
    Label status = new Label();
    status.setWrapText(true);
    Button connect = new Button("Connect");
    connect.setId("connect-start");
    connect.setDefaultButton(true);
    connect.setOnAction(e -> {
      connect.setDisable(true);
      status.setText("Connecting…");
      String dir = directory.getText().strip();
      String list = addresses.getText().strip();
      BACKGROUND.execute(() -> {
        try {
          LiveConnection connection;
          if (!dir.isEmpty()) {
            connection = LiveConnection.ofStateDirectory(Path.of(dir));
          } else if (topology == null) {
            throw new java.io.IOException("open the design the agents were deployed from, or "
                + "give the state directory instead");
          } else {
            connection = LiveConnection.ofAddresses(Arrays.stream(list.split("[,\\s]+"))
                .filter(s -> !s.isEmpty()).toList(), topology);
          }
          Platform.runLater(() -> {
            stage.close();
            open(connection, owner, dark);
          });
        } catch (java.io.IOException | RuntimeException ex) {
          Platform.runLater(() -> {
            status.setText("Not connected: " + ex.getMessage());
            connect.setDisable(false);
          });
        }
      });
    });
    VBox box = new VBox(8, new Label("A local deployment's state directory (kill and restart "
        + "allowed)"), new HBox(8, directory, browse),
        new Label("or the agents' addresses (watch, cut and heal)"), addresses, connect, status);
    box.setPadding(new Insets(12));
    stage.setScene(new Scene(box, 640, 260));
    stage.show();
  }

  /** A scene as large as the live view wants, but never larger than the screen. */
  private static Scene sceneFor(LiveView view) {
    javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
    return new Scene(view.root(), Math.min(1360, screen.getWidth()),
        Math.min(880, screen.getHeight()));
  }

  private static void error(Window owner, String text) {
    Alert alert = new Alert(Alert.AlertType.ERROR, text);
    alert.initOwner(owner);
    alert.setHeaderText(null);
    alert.show();
  }
}
