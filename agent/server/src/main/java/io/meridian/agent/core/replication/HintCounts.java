package io.meridian.agent.core.replication;

/**
 * Hinted handoff of one quorum dataset toward one replica, as counted by this coordinator since it
 * started.
 *
 * @param stored hints kept because the target was unreachable or did not answer in time
 * @param delivered hints the target acknowledged (each removed from the store once)
 * @param dropped hints not kept because the bound was reached
 * @param kept hints waiting now (including those kept before a restart)
 */
public record HintCounts(String dataset, String target, long stored, long delivered, long dropped, long kept) {}
