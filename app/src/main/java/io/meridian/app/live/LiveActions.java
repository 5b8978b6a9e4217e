package io.meridian.app.live;

import java.util.List;
import java.util.Optional;

/**
 * What an operator can do to a deployment from the live view. Each method blocks (the view
 * model calls it on a background thread) and returns what happened in a sentence, or throws
 * with a message a person can act on.
 */
public interface LiveActions {

  /** The actions, for enabling menu items and tool bar buttons. */
  enum Action {
    /** Drop all traffic between two regions (rehearsals). */
    CUT_LINK,
    /** Restore a cut link. */
    HEAL_LINK,
    /** Kill a region's agent process (local rehearsals). */
    KILL_REGION,
    /** Start a killed region's agent again (local rehearsals). */
    RESTART_REGION,
    /** Switch the primary to a caught-up region without losing data. */
    PLANNED_FAILOVER,
    /** Make a region primary now, losing what it has not received. */
    FORCED_FAILOVER,
    /** Run anti-entropy repair now. */
    REPAIR,
    /** Drive load through the agents. */
    LOAD,
    /** Stop every agent of a local deployment (what {@code meridian teardown} does). */
    TEARDOWN
  }

  /**
   * Why an action cannot be done on this deployment.
   *
   * @param action the action
   * @return the reason, shown as the disabled control's tooltip, or empty when it can be done
   */
  Optional<String> unsupported(Action action);

  /** Cuts the link between two regions at both ends. */
  String cutLink(String a, String b) throws ActionException;

  /** Heals the link between two regions at both ends. */
  String healLink(String a, String b) throws ActionException;

  /** Kills a region's agent. */
  String kill(String region) throws ActionException;

  /** Restarts a region's killed agent and waits until it is ready. */
  String restart(String region) throws ActionException;

  /**
   * What a failover of a dataset to a region would do, worked out from the agents' views without
   * changing anything: the current lag and, for a forced one, how many acknowledged writes would
   * be lost (the text {@code meridian failover} asks the operator to confirm).
   *
   * @param dataset the dataset
   * @param replicas its replica regions
   * @param region the region to promote
   * @param force forced (promote now) rather than planned (wait until caught up)
   * @return the confirmation text
   */
  default String failoverConfirmation(String dataset, List<String> replicas, String region,
      boolean force) throws ActionException {
    throw new ActionException("this deployment offers no failover");
  }

  /**
   * Makes a region the primary of a dataset: planned (the primary hands over once the region
   * has every write; nothing changes on timeout) or forced (now).
   *
   * @return the outcome, in a sentence
   */
  default String failover(String dataset, List<String> replicas, String region, boolean force)
      throws ActionException {
    throw new ActionException("this deployment offers no failover");
  }

  /**
   * Runs anti-entropy repair (ADR 0014) now for the given datasets of a region: the region
   * compares each with its partners (a primary with its replicas, a replica with its primary).
   *
   * @return the figures, in a sentence
   */
  default String repair(String region, List<String> datasets) throws ActionException {
    throw new ActionException("this deployment offers no repair");
  }

  /**
   * Stops every agent of the deployment, as {@code meridian teardown} does; data and logs stay.
   *
   * @return what happened to each agent, in a sentence
   */
  default String teardown() throws ActionException {
    throw new ActionException("this deployment cannot be torn down from here");
  }

  /** An action that failed, with a message for the operator. */
  final class ActionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and what to do */
    public ActionException(String message) {
      super(message);
    }

    /**
     * @param message what went wrong and what to do
     * @param cause the underlying failure
     */
    public ActionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
