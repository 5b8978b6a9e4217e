package io.meridian.agent.transport;

/** Where the KV service reports each request; metrics backends implement it. */
public interface RequestMetrics {
  /** Reports nothing. */
  RequestMetrics NONE = (operation, dataset, outcome, seconds) -> {};

  /**
   * Records one finished request.
   *
   * @param operation put, get, delete, compare_and_set or batch_put
   * @param dataset the dataset asked for
   * @param outcome ok, compare_failed, or the failure in lower case
   * @param seconds from arrival to answer
   */
  void observe(String operation, String dataset, String outcome, double seconds);
}
