package io.meridian.model.validation;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Regions, policies and datasets are referred to by id or name, so each must be unique. */
final class DuplicateIdRule extends Rule {
  DuplicateIdRule() {
    super("duplicate-id", Severity.ERROR,
        "two regions, two policies or two datasets share an id or name");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    duplicates(context.topology().regions(), region -> region.id().value(), "regions", "id",
        "region", problems);
    duplicates(context.topology().policies(), policy -> policy.name(), "policies", "name",
        "policy", problems);
    duplicates(context.topology().datasets(), dataset -> dataset.name(), "datasets", "name",
        "dataset", problems);
  }

  private <T> void duplicates(List<T> elements, Function<T, String> key, String section,
      String field, String noun, List<Problem> problems) {
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      String name = key.apply(elements.get(i));
      Integer earlier = first.putIfAbsent(name, i);
      if (earlier != null) {
        problems.add(problem("/" + section + "/" + i + "/" + field,
            noun + " '" + name + "' is defined twice (entries " + (earlier + 1) + " and "
                + (i + 1) + " under " + section + ":)",
            "rename this " + noun + " or remove the copy; references to '" + name
                + "' cannot tell the two apart"));
      }
    }
  }
}
