package dev.fairlead.bench.jmh;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.bench.BenchConfig;
import dev.fairlead.bench.StateSpec;
import dev.fairlead.xds.translate.IncrementalTranslator;
import dev.fairlead.xds.translate.Translation;
import dev.fairlead.xds.translate.Translator;
import dev.fairlead.xds.translate.TranslatorOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The translator on the benchmark's generated configuration: a full translation of {@code
 * upstreams} Upstreams (one HTTPRoute each, one Gateway), and the translation Fairlead does after
 * one Upstream's endpoints changed — the {@link IncrementalTranslator} the publisher uses, given
 * states that alternate between two which differ in one Upstream, so each translation follows one
 * that differs from it in one object.
 */
public class TranslatorBenchmark extends BenchmarkDefaults {

  private static final TranslatorOptions OPTIONS = new TranslatorOptions("127.0.0.1");

  private final Translator translator = new Translator(OPTIONS);
  private final IncrementalTranslator incremental = new IncrementalTranslator(OPTIONS);
  private ClusterState state;
  private ClusterState[] oneChanged;
  private int next;

  @Setup
  public void generate() {
    BenchConfig config = new BenchConfig();
    StateSpec spec = StateSpec.of(upstreams);
    state = config.state(spec);
    oneChanged =
        new ClusterState[] {
          config.state(spec.withEndpoints(upstreams / 2, 1)),
          config.state(spec.withEndpoints(upstreams / 2, 2))
        };
    incremental.translate(oneChanged[next]);
  }

  @Benchmark
  public Translation fullTranslation() {
    return translator.translate(state);
  }

  @Benchmark
  public Translation oneUpstreamChanged() {
    next ^= 1;
    return incremental.translate(oneChanged[next]);
  }
}
