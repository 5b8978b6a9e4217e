package io.meridian.app.check;

import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.validation.TopologyValidator;
import java.util.List;

/**
 * The design rules run over a topology that was read without format problems: dangling
 * references, quorum arithmetic, residency and the like.
 */
@FunctionalInterface
public interface Validation {

  /**
   * The problems found in {@code topology}; a problem may carry only a JSON Pointer, the caller
   * places it in the file.
   */
  List<Problem> validate(Topology topology);

  /**
   * The rules Meridian ships with, used by {@code meridian validate} and by the studio.
   *
   * <p>The model's validator is wired in here and nowhere else.
   */
  static Validation standard() {
    return new TopologyValidator()::validate;
  }
}
