package io.meridian.app.editor;

import io.meridian.model.RegionId;
import java.util.Objects;

/** What the property sheet edits: a region, a link or a dataset (with its policy). */
public sealed interface EditTarget {

  /**
   * A region.
   *
   * @param id its id
   */
  record RegionTarget(RegionId id) implements EditTarget {
    /** Checks the id. */
    public RegionTarget {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * A link, by its two ends.
   *
   * @param a one end
   * @param b the other end
   */
  record LinkTarget(RegionId a, RegionId b) implements EditTarget {
    /** Checks the ends. */
    public LinkTarget {
      Objects.requireNonNull(a, "a");
      Objects.requireNonNull(b, "b");
    }
  }

  /**
   * A dataset and the policy it names.
   *
   * @param name the dataset's name
   */
  record DatasetTarget(String name) implements EditTarget {
    /** Checks the name. */
    public DatasetTarget {
      Objects.requireNonNull(name, "name");
    }
  }
}
