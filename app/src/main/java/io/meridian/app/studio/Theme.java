package io.meridian.app.studio;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;

/** The studio's look: AtlantaFX's Primer themes, light or dark, for the whole application. */
public final class Theme {
  private Theme() {}

  /** Switches every window to the light or dark theme. Call on the JavaFX thread. */
  public static void apply(boolean dark) {
    Application.setUserAgentStylesheet(dark
        ? new PrimerDark().getUserAgentStylesheet()
        : new PrimerLight().getUserAgentStylesheet());
  }
}
