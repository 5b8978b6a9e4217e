package io.meridian.model.analysis;

/**
 * One operation (a write, or a read at one consistency level) from one client region: whether
 * the mode offers it, whether it works under the what-if, why, and how long it takes.
 *
 * @param name {@code write}, or a read consistency level such as {@code eventual}
 * @param offered whether the dataset's mode offers this operation at all
 * @param available whether a client in this region can complete it under the what-if
 * @param explanation one line tied to the topology: why it works or fails, or why it is not
 *     offered
 * @param latency the predicted latency, or null when not offered or not available
 */
public record Operation(
    String name, boolean offered, boolean available, String explanation, Latency latency) {

  static Operation notOffered(String name, String reason) {
    return new Operation(name, false, false, reason, null);
  }

  static Operation unavailable(String name, String reason) {
    return new Operation(name, true, false, reason, null);
  }
}
