package io.meridian.model.validation;

import io.meridian.model.Geo;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** No link is faster than light in fibre over the great-circle distance between its ends. */
final class FasterThanLightRule extends Rule {
  FasterThanLightRule() {
    super("faster-than-light", Severity.ERROR,
        "a link's RTT is below what light in fibre needs over the great-circle distance");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Link> links = context.topology().links();
    for (int i = 0; i < links.size(); i++) {
      Link link = links.get(i);
      Optional<Region> a = context.region(link.a());
      Optional<Region> b = context.region(link.b());
      if (a.isEmpty() || b.isEmpty()) {
        continue;
      }
      double km = Geo.greatCircleKm(a.get(), b.get());
      double floorMs = Geo.fibreRttFloorMs(km);
      if (link.rttMs() < floorMs) {
        problems.add(problem("/links/" + i + "/rttMs",
            String.format(Locale.ROOT, "link %s has rttMs %s, faster than light: light in fibre "
                    + "needs at least %s ms round trip over the %,.0f km great-circle distance",
                link.name(), Messages.ms(link.rttMs()), Messages.ms(Math.ceil(floorMs * 10) / 10),
                km),
            "set rttMs to at least " + Messages.ms(Math.ceil(floorMs * 10) / 10) + "; "
                + Messages.estimatedRtt(a.get(), b.get()) + " ms is a realistic figure"));
      }
    }
  }
}
