package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.studio.OutlineSelection.Section;
import org.junit.jupiter.api.Test;

// Proves that a problem's JSON Pointer leads to the outline entry it concerns, and to none when
// it concerns the header or a policy.
class OutlineSelectionTest {

  @Test
  void pointersIntoRegionsLinksAndDatasetsNameTheirEntry() {
    assertThat(OutlineSelection.of("/regions/2/latitude"))
        .contains(new OutlineSelection(Section.REGIONS, 2));
    assertThat(OutlineSelection.of("/links/0")).contains(new OutlineSelection(Section.LINKS, 0));
    assertThat(OutlineSelection.of("/datasets/1/replicas/3"))
        .contains(new OutlineSelection(Section.DATASETS, 1));
  }

  @Test
  void otherPointersNameNoEntry() {
    assertThat(OutlineSelection.of("")).isEmpty();
    assertThat(OutlineSelection.of("/apiVersion")).isEmpty();
    assertThat(OutlineSelection.of("/policies/0/mode")).isEmpty();
    assertThat(OutlineSelection.of("/regions")).isEmpty();
    assertThat(OutlineSelection.of("/regions/x")).isEmpty();
    assertThat(OutlineSelection.of(null)).isEmpty();
  }
}
