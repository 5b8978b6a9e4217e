package io.meridian.model.validation;

import io.meridian.model.Link;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A pair of regions has one link; a second one would leave its RTT and encryption ambiguous. */
final class DuplicateLinkRule extends Rule {
  DuplicateLinkRule() {
    super("duplicate-link", Severity.ERROR, "two links join the same pair of regions");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Link> links = context.topology().links();
    for (int i = 0; i < links.size(); i++) {
      Link link = links.get(i);
      int first = context.linkIndex(link.a(), link.b()).orElseThrow();
      if (first != i) {
        problems.add(problem("/links/" + i + "/between",
            "link " + link.name() + " joins the same regions as link " + links.get(first).name()
                + " (entry " + (first + 1) + " under links:)",
            "keep one link between '" + link.a() + "' and '" + link.b()
                + "' and remove the other"));
      }
    }
  }
}
