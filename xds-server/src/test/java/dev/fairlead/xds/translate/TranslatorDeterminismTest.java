package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The translator is a pure function (ARCHITECTURE rule 1): the objects of each golden case,
 * shuffled (including the endpoints inside each EndpointSlice), translate twice to resources whose
 * deterministic serialization is byte for byte that of the unshuffled case, with equal verdicts.
 */
class TranslatorDeterminismTest {

  static Stream<String> cases() throws IOException {
    return TranslatorGoldenTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shuffledInputTranslatesToTheSameBytes(String name) throws IOException {
    Path file = TranslatorGoldenTest.CASES.resolve("in").resolve(name + ".yaml");
    Translation reference =
        new Translator(TranslatorGoldenTest.OPTIONS)
            .translate(ClusterStateYaml.state(ClusterStateYaml.objects(file)));
    for (long seed = 1; seed <= 3; seed++) {
      List<HasMetadata> objects = ClusterStateYaml.objects(file);
      Random random = new Random(seed);
      Collections.shuffle(objects, random);
      for (HasMetadata object : objects) {
        if (object instanceof EndpointSlice slice && slice.getEndpoints() != null) {
          List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints =
              new ArrayList<>(slice.getEndpoints());
          Collections.shuffle(endpoints, random);
          slice.setEndpoints(endpoints);
        }
      }
      Translator translator = new Translator(TranslatorGoldenTest.OPTIONS);
      Translation first = translator.translate(ClusterStateYaml.state(objects));
      Translation second = translator.translate(ClusterStateYaml.state(objects));

      assertThat(bytes(first)).as("seed %d", seed).isEqualTo(bytes(reference));
      assertThat(bytes(second)).as("seed %d, second translation", seed).isEqualTo(bytes(reference));
      assertThat(first.verdicts()).as("seed %d", seed).isEqualTo(reference.verdicts());
      assertThat(second.verdicts())
          .as("seed %d, second translation", seed)
          .isEqualTo(reference.verdicts());
    }
  }

  /** Every resource of every fleet, deterministically serialized, keyed by fleet and type. */
  private static Map<String, List<ByteString>> bytes(Translation translation) {
    Map<String, List<ByteString>> bytes = new TreeMap<>();
    translation
        .fleets()
        .forEach(
            (fleet, config) -> {
              bytes.put(fleet + " clusters", serialized(config.clusters()));
              bytes.put(fleet + " endpoints", serialized(config.endpoints()));
              bytes.put(fleet + " listeners", serialized(config.listeners()));
              bytes.put(fleet + " routes", serialized(config.routes()));
            });
    return bytes;
  }

  private static List<ByteString> serialized(List<? extends Message> messages) {
    List<ByteString> serialized = new ArrayList<>();
    for (Message message : messages) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.useDeterministicSerialization();
        message.writeTo(coded);
        coded.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      serialized.add(ByteString.copyFrom(out.toByteArray()));
    }
    return serialized;
  }
}
