/**
 * The studio's live view: what a running deployment is doing, on the graph the architect drew.
 *
 * <p>Three layers. {@link io.meridian.app.live.LiveModel} is pure: it folds everything received
 * from the agents ({@link io.meridian.app.live.LiveInput}: watch events, status replies, lost
 * streams, operator actions) into one {@link io.meridian.app.live.LiveState} per instant, and
 * copes with snapshots that arrive out of order, twice, late or never, and with agents that
 * disappear. {@link io.meridian.app.live.Recording} keeps the last 30 minutes of inputs so the
 * operator can pause, scrub back and save them to a file. {@link io.meridian.app.live.LiveSession}
 * merges on its own thread and publishes a state ten times a second; {@link
 * io.meridian.app.live.AgentWatchers} is the gRPC adapter that feeds it. The view
 * ({@link io.meridian.app.live.LiveView}) takes the newest state once per frame tick at most
 * ten times a second, never once per event. See ADR 0012.
 */
package io.meridian.app.live;
