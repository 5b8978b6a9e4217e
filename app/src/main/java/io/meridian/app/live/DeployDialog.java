package io.meridian.app.live;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.FileReport;
import io.meridian.app.deploy.DeploymentCompiler;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentPlan;
import io.meridian.app.deploy.FreePorts;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.deploy.StateDirectories;
import io.meridian.model.diagnostics.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Deploys the open design as a local rehearsal, with WAN emulation on or off, showing each
 * agent's progress and the tail of the selected agent's log; when all are ready it opens the
 * live view. The same engine as {@code meridian deploy}: {@link DeploymentCompiler} and {@link
 * LocalDeployer}, run on a background thread.
 *
 * <p>Node ids: {@code #deploy-wan}, {@code #deploy-state-dir}, {@code #deploy-start}, {@code
 * #deploy-agents}, {@code #deploy-log}, {@code #deploy-status}.
 */
public final class DeployDialog {
  /** How often the selected agent's log tail is read again. */
  static final long LOG_POLL_MILLIS = 500;
  private static final Pattern PROGRESS =
      Pattern.compile("^\\s+(\\S+)\\s+(starting|ready)\\s+(.*)$");

  /** One agent's row. */
  public static final class AgentRow {
    final String region;
    final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper("waiting");
    final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");

    AgentRow(String region) {
      this.region = region;
    }
  }

  private final Stage stage = new Stage();
  private final Path file;
  private final Consumer<LiveConnection> onReady;
  private final ObservableList<AgentRow> rows = FXCollections.observableArrayList();
  private final Map<String, AgentRow> byRegion = new LinkedHashMap<>();
  private final TextArea log = new TextArea();
  private final Label status = new Label();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "meridian-deploy-dialog");
        thread.setDaemon(true);
        return thread;
      });
  private volatile Path stateDirectory;

  /**
   * @param owner the studio window
   * @param file the design to deploy (saved)
   * @param onReady receives the live connection once every agent is ready
   */
  public DeployDialog(Window owner, Path file, Consumer<LiveConnection> onReady) {
    this.file = file;
    this.onReady = onReady;
    stage.initOwner(owner);
    stage.setTitle("Deploy " + file.getFileName() + " locally — Meridian");
    CheckBox wan = new CheckBox("Emulate WAN links (delay, jitter, bandwidth and loss of each "
        + "link)");
    wan.setId("deploy-wan");
    wan.setSelected(true);
    TextField directory = new TextField();
    directory.setId("deploy-state-dir");
    directory.setPromptText("default: .meridian/deployments/<topology name>");
    HBox.setHgrow(directory, Priority.ALWAYS);
    Button start = new Button("Deploy");
    start.setId("deploy-start");
    start.setDefaultButton(true);

    TableView<AgentRow> table = new TableView<>(rows);
    table.setId("deploy-agents");
    table.setPrefHeight(140);
    table.getColumns().add(column("Region", row -> row.region, 140));
    TableColumn<AgentRow, String> state = new TableColumn<>("State");
    state.setCellValueFactory(cell -> cell.getValue().state.getReadOnlyProperty());
    state.setPrefWidth(90);
    table.getColumns().add(state);
    TableColumn<AgentRow, String> detail = new TableColumn<>("Details");
    detail.setCellValueFactory(cell -> cell.getValue().detail.getReadOnlyProperty());
    detail.setPrefWidth(420);
    table.getColumns().add(detail);
    table.setPlaceholder(new Label("Agents appear here as they start"));
    log.setId("deploy-log");
    log.setEditable(false);
    log.setPrefRowCount(12);
    log.setStyle("-fx-font-family: monospace;");
    status.setId("deploy-status");
    status.setWrapText(true);

    worker.scheduleWithFixedDelay(() -> {
      AgentRow selected = table.getSelectionModel().getSelectedItem();
      Path dir = stateDirectory;
      if (selected != null && dir != null) {
        Path logFile = dir.resolve("logs").resolve(selected.region + ".log");
        String tail = Files.exists(logFile) ? LocalDeployer.logTail(logFile) : "(no log yet)";
        Platform.runLater(() -> {
          if (!tail.equals(log.getText())) {
            log.setText(tail);
          }
        });
      }
    }, 0, LOG_POLL_MILLIS, TimeUnit.MILLISECONDS);

    start.setOnAction(e -> {
      start.setDisable(true);
      wan.setDisable(true);
      directory.setDisable(true);
      deploy(wan.isSelected(), directory.getText().isBlank() ? null
          : Path.of(directory.getText().strip()), table, start);
    });
    VBox box = new VBox(8, new Label("Local rehearsal of " + file), wan,
        new HBox(8, new Label("State directory"), directory), start, table,
        new Label("Log of the selected agent (last " + LocalDeployer.LOG_TAIL_LINES + " lines)"),
        log, status);
    VBox.setVgrow(log, Priority.ALWAYS);
    box.setPadding(new Insets(12));
    stage.setScene(new Scene(box, 760, 620));
    stage.setOnHidden(e -> worker.shutdownNow());
  }

  /** Shows the dialog. */
  public void show() {
    stage.show();
  }

  /** @return the dialog's window, for tests */
  public Stage stage() {
    return stage;
  }

  private void deploy(boolean emulateWan, Path chosenDirectory, TableView<AgentRow> table,
      Button start) {
    status.setText("Checking " + file.getFileName() + "…");
    worker.execute(() -> {
      try {
        FileReport report = new DesignCheck().check(file);
        if (report.topology().isEmpty() || !report.isValid()) {
          String problems = String.join(System.lineSeparator(), report.problems().stream()
              .filter(Problem::isError).map(p -> p.format(file.toString())).toList());
          fail("Not deployed: " + file.getFileName() + " has errors; fix them first:"
              + System.lineSeparator() + problems, start);
          return;
        }
        DeploymentPlan plan = new DeploymentCompiler().compile(
            report.topology().get().topology(), emulateWan, new FreePorts());
        Path directory = chosenDirectory != null ? chosenDirectory
            : StateDirectories.defaultFor(plan.topologyName());
        stateDirectory = directory;
        Platform.runLater(() -> {
          plan.agents().forEach(a -> {
            AgentRow row = new AgentRow(a.region());
            byRegion.put(a.region(), row);
            rows.add(row);
          });
          if (!rows.isEmpty()) {
            table.getSelectionModel().select(0);
          }
          status.setText("Deploying " + plan.agents().size() + " agents into " + directory
              + (plan.warnings().isEmpty() ? "" : System.lineSeparator()
              + String.join(System.lineSeparator(), plan.warnings())));
        });
        LocalDeployer.fromCurrentJvm().deploy(plan, file, directory, emulateWan,
            line -> Platform.runLater(() -> progress(line, table)));
        LiveConnection connection = LiveConnection.ofStateDirectory(directory);
        Platform.runLater(() -> {
          status.setText("Ready: " + plan.agents().size() + " agents. State in " + directory
              + ". Closing the live view leaves them running; 'meridian teardown --state-dir "
              + directory + "' stops them.");
          onReady.accept(connection);
          stage.close();
        });
      } catch (DeploymentException e) {
        fail("Not deployed: " + e.getMessage() + System.lineSeparator()
            + "Every agent started was stopped again.", start);
      } catch (Exception e) {
        fail("Not deployed: " + e, start);
      }
    });
  }

  private void progress(String line, TableView<AgentRow> table) {
    Matcher matcher = PROGRESS.matcher(line);
    if (matcher.matches()) {
      AgentRow row = byRegion.get(matcher.group(1));
      if (row != null) {
        row.state.set(matcher.group(2));
        row.detail.set(matcher.group(3).strip());
        table.getSelectionModel().select(row);
      }
    } else {
      status.setText(line.strip());
    }
  }

  private void fail(String text, Button start) {
    Platform.runLater(() -> {
      status.setText(text);
      start.setDisable(false);
    });
  }

  private static TableColumn<AgentRow, String> column(String name,
      java.util.function.Function<AgentRow, String> value, double width) {
    TableColumn<AgentRow, String> column = new TableColumn<>(name);
    column.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
    column.setPrefWidth(width);
    return column;
  }
}
