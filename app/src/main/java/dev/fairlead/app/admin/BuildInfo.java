package dev.fairlead.app.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What this build of Fairlead is: its version, stamped into {@code build.properties} by the build,
 * and the Java runtime it runs on. {@code fairlead --version} prints it, and {@link #bind} shows it
 * as the metric {@code fairlead_build_info} (always 1, the facts as labels), which is how
 * dashboards tell which version each replica runs during a rollout.
 */
public record BuildInfo(String version, String javaVersion) {

  /** This build, read from the class path. */
  public static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "build.properties is missing from the class path: a broken build");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read build.properties: " + e.getMessage(), e);
    }
    return new BuildInfo(properties.getProperty("version"), Runtime.version().toString());
  }

  /** Registers {@code fairlead_build_info{version, java_version}}, whose value is always 1. */
  public void bind(MeterRegistry registry) {
    Gauge.builder("fairlead.build.info", () -> 1)
        .description(
            "The running build of Fairlead: its version and Java runtime as labels, value always 1")
        .tag("version", version)
        .tag("java_version", javaVersion)
        .register(registry);
  }

  /** Picocli's source of {@code --version}. */
  public static final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
      BuildInfo build = current();
      return new String[] {"fairlead " + build.version() + " (Java " + build.javaVersion() + ")"};
    }
  }
}
