package dev.fairlead.app.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.testkit.FuzzExecutions;
import dev.fairlead.testkit.FuzzedTrees;
import dev.fairlead.xds.translate.Translator;
import dev.fairlead.xds.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the standalone configuration file parser with what a person could save into the
 * configuration directory: arbitrary bytes, and — reaching much further — the quickstart's files
 * and the translator's golden inputs edited byte by byte (YAML syntax spliced in, bytes cut out or
 * repeated) or object by object ({@link FuzzedTrees}). For every input:
 *
 * <ul>
 *   <li>{@link ConfigFileParser#parse(Path, byte[])} returns, never throws: a {@link
 *       ParsedFile.Broken} that names the file ({@code describe()} begins with it), a line within
 *       the file (or 0), and no Java class (unless the file itself spells it);
 *   <li>or a {@link ParsedFile.Good} whose objects are each of a kind standalone mode reads, named,
 *       namespaced and located in the file; written back as YAML they parse to the same objects;
 *   <li>what the configuration directory does with a good file — key each object, place it in a
 *       {@link ClusterState} and translate that — never throws either.
 * </ul>
 *
 * Without {@code JAZZER_FUZZ} this runs the inputs kept under {@code
 * ConfigFileParserFuzzTestInputs/} as a regression test; {@code scripts/fuzz.sh} fuzzes for a while
 * (see CONTRIBUTING.md).
 */
class ConfigFileParserFuzzTest {

  @RegisterExtension static final FuzzExecutions EXECUTIONS = new FuzzExecutions();

  private static final Path FILE = Path.of("config/fuzzed.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * Stateless and thread-safe, as the configuration directory shares one; making one costs
   * milliseconds.
   */
  private static final ConfigFileParser PARSER = new ConfigFileParser();

  private static final Translator TRANSLATOR = new Translator(new TranslatorOptions("127.0.0.1"));
  private static final Pattern JAVA_CLASS =
      Pattern.compile(
          "\\b(java|javax|com|org|io|dev|sun)\\.[a-z0-9_]+(\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_$]*");
  private static final List<byte[]> SEEDS = seeds();

  /** Pieces of YAML syntax, and values the parser and the kinds behind it branch on. */
  private static final List<String> SPLICES =
      List.of(
          "\n",
          "\r\n",
          "\r",
          " ",
          "  ",
          "\t",
          ":",
          ": ",
          "- ",
          "-",
          "---\n",
          "...\n",
          "#",
          " #",
          "'",
          "\"",
          "{",
          "}",
          "[",
          "]",
          ",",
          "? ",
          "|",
          "|-\n",
          ">",
          "&a ",
          "*a",
          "<<: *a\n",
          "!",
          "!!binary ",
          "!!str ",
          "!!int ",
          "!!map ",
          "!!set ",
          "!!omap ",
          "!!python/object ",
          "!<tag:x> ",
          "%YAML 1.2\n",
          "%TAG ! tag:x,2000:\n",
          "~",
          "null",
          "true",
          "NO",
          "0x1F",
          "0o17",
          "1e400",
          ".nan",
          "-.inf",
          "2001-12-14t21:59:43Z",
          "\\u0000",
          "\u0000",
          "\uFEFF",
          "\u2028",
          "\u00e9",
          "\uD83D\uDE00",
          "apiVersion: v1\n",
          "kind: Service\n",
          "metadata: {name: x}\n",
          "namespace: ",
          "name: ",
          "\\\n",
          "=",
          "@",
          "`",
          "%",
          "\u0085");

  private static final List<String> DICTIONARY =
      List.of(
          "",
          " ",
          "x",
          "default",
          "v1",
          "fairlead.dev/v1alpha1",
          "gateway.networking.k8s.io/v1",
          "gateway.networking.k8s.io/v1beta1",
          "discovery.k8s.io/v1",
          "Upstream",
          "Service",
          "Gateway",
          "HTTPRoute",
          "ReferenceGrant",
          "EndpointSlice",
          "ConfigMap",
          "1s",
          "-1s",
          "1h",
          "0s",
          "ROUND_ROBIN",
          "PathPrefix",
          "HTTP",
          "127.0.0.1",
          "::1",
          "a".repeat(300),
          "\u0000",
          "é");

  @FuzzTest(maxDuration = "30s")
  void parsesOrNamesTheFileAndLine(FuzzedDataProvider data) {
    EXECUTIONS.count();
    byte[] content =
        switch (data.consumeInt(0, 2)) {
          case 0 -> spliced(data);
          case 1 -> treeEdited(data);
          default -> data.consumeRemainingAsBytes();
        };
    ParsedFile parsed = PARSER.parse(FILE, content);

    assertThat(parsed.file()).isEqualTo(FILE);
    int lines = lines(content);
    if (parsed instanceof ParsedFile.Broken broken) {
      assertThat(broken.describe()).startsWith(FILE + ":").doesNotContain("\n\tat ");
      assertThat(broken.line()).as(broken.describe()).isBetween(0, lines);
      assertNoJavaClassBeyondTheInput(
          broken.message(), new String(content, StandardCharsets.UTF_8));
    } else {
      ParsedFile.Good good = (ParsedFile.Good) parsed;
      List<HasMetadata> objects = new ArrayList<>();
      for (ParsedFile.Located located : good.objects()) {
        HasMetadata object = located.object();
        assertThat(located.file()).isEqualTo(FILE);
        assertThat(located.line()).isBetween(1, lines);
        assertThat(ConfigFileParser.KINDS)
            .containsEntry(object.getApiVersion() + "/" + object.getKind(), object.getClass());
        assertThat(object.getMetadata().getName()).isNotBlank();
        if (object instanceof Namespaced) {
          assertThat(object.getMetadata().getNamespace()).isNotBlank();
        } else {
          assertThat(object.getMetadata().getNamespace())
              .as("a cluster-scoped %s", object.getKind())
              .isNullOrEmpty();
        }
        assertThat(ConfigDirectory.key(object)).isNotBlank();
        objects.add(object);
      }
      assertRoundTrips(objects);
      TRANSLATOR.translate(ClusterState.of(objects));
    }
  }

  /**
   * The objects written as YAML documents parse to the same objects. Jackson's YAML writer leaves a
   * key holding one of YAML's own line breaks (NEL, U+2028, U+2029) unquoted, which no YAML reader
   * takes back: such objects are not written back, since the writer, not the parser under test, is
   * at fault.
   */
  private static void assertRoundTrips(List<HasMetadata> objects) {
    StringBuilder written = new StringBuilder("# written back\n");
    for (HasMetadata object : objects) {
      written.append(SERIALIZATION.asYaml(object));
    }
    if (written.toString().matches("(?s).*[\u0085\u2028\u2029].*")) {
      return;
    }
    ParsedFile again = PARSER.parse(FILE, written.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(again).as(written.toString()).isInstanceOf(ParsedFile.Good.class);
    List<HasMetadata> reread =
        ((ParsedFile.Good) again).objects().stream().map(ParsedFile.Located::object).toList();
    assertThat(reread.stream().map(SERIALIZATION::asJson).toList())
        .as(written.toString())
        .isEqualTo(objects.stream().map(SERIALIZATION::asJson).toList());
  }

  /**
   * A Java class name in a message is an exception's leak, unless the file spelled it (an echoed
   * value).
   */
  private static void assertNoJavaClassBeyondTheInput(String message, String input) {
    Matcher found = JAVA_CLASS.matcher(message);
    while (found.find()) {
      assertThat(input).as("Java class in: %s", message).contains(found.group());
    }
  }

  /**
   * A seed file with up to eight byte-level edits: a splice of YAML syntax, a cut, a repeat or
   * bytes inserted.
   */
  private static byte[] spliced(FuzzedDataProvider data) {
    byte[] seed = SEEDS.get(data.consumeInt(0, SEEDS.size() - 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(seed);
    int edits = data.consumeInt(1, 8);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      byte[] current = out.toByteArray();
      int at = data.consumeInt(0, current.length);
      byte[] insert =
          switch (data.consumeInt(0, 3)) {
            case 0 ->
                SPLICES
                    .get(data.consumeInt(0, SPLICES.size() - 1))
                    .getBytes(StandardCharsets.UTF_8);
            case 1 -> new byte[0];
            case 2 ->
                java.util.Arrays.copyOfRange(
                    current, at, Math.min(current.length, at + data.consumeInt(1, 64)));
            default -> data.consumeBytes(8);
          };
      int cut = data.consumeBoolean() ? data.consumeInt(0, Math.min(16, current.length - at)) : 0;
      out.reset();
      out.write(current, 0, at);
      out.writeBytes(insert);
      out.write(current, at + cut, current.length - at - cut);
    }
    return out.toByteArray();
  }

  /** A seed file's documents with a few structure-aware edits, written back as YAML. */
  private static byte[] treeEdited(FuzzedDataProvider data) {
    byte[] seed = SEEDS.get(data.consumeInt(0, SEEDS.size() - 1));
    try (YAMLParser parser = new YAMLFactory().createParser(seed)) {
      List<JsonNode> documents =
          YAML.readValues(parser, JsonNode.class).readAll().stream()
              .filter(node -> node != null && node.isContainerNode())
              .toList();
      StringBuilder out = new StringBuilder();
      for (JsonNode document : documents) {
        if (data.consumeBoolean()) {
          FuzzedTrees.mutate(document, data, DICTIONARY, 4);
        }
        out.append(YAML.writeValueAsString(document));
      }
      return out.toString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An upper bound of the lines a YAML reader counts: it breaks lines at CR, LF, NEL, LS and PS.
   */
  private static int lines(byte[] content) {
    return 1
        + (int)
            new String(content, StandardCharsets.UTF_8)
                .chars()
                .filter(
                    c -> c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029')
                .count();
  }

  /**
   * The quickstart's configuration and the translator's golden inputs: real files of the kinds this
   * reads.
   */
  private static List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    for (Path directory :
        List.of(
            Path.of("../examples/quickstart/config"),
            Path.of("../xds-server/src/test/resources/translator/in"))) {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
          seeds.add(Files.readAllBytes(file));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.copyOf(seeds);
  }
}
