package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * Which refusals of the API server count as conflicts (retried from fresh state) and which do not.
 */
class UpstreamWriterTest {

  @Test
  void aStaleResourceVersionIsAConflict() {
    assertThat(
            UpstreamWriter.isConflict(
                refusal(
                    new StatusBuilder()
                        .withCode(409)
                        .withReason("Conflict")
                        .withMessage("the object has been modified")
                        .withNewDetails()
                        .withName("web-http")
                        .endDetails()
                        .build())))
        .isTrue();
  }

  @Test
  void aFailedPatchPreconditionIsAConflict() {
    // What the API server answers when a JSON Patch's test op on /metadata/resourceVersion fails.
    assertThat(
            UpstreamWriter.isConflict(
                refusal(
                    new StatusBuilder()
                        .withCode(422)
                        .withReason("Invalid")
                        .withMessage(
                            "the server rejected our request due to an error in our request")
                        .withNewDetails()
                        .endDetails()
                        .build())))
        .isTrue();
  }

  @Test
  void anInvalidObjectIsNotAConflict() {
    assertThat(
            UpstreamWriter.isConflict(
                refusal(
                    new StatusBuilder()
                        .withCode(422)
                        .withReason("Invalid")
                        .withMessage(
                            "Upstream.fairlead.dev \"b\" is invalid: spec.kube.port: Invalid value: 0")
                        .withNewDetails()
                        .withName("b")
                        .withKind("Upstream")
                        .withCauses(
                            new StatusCauseBuilder()
                                .withField("spec.kube.port")
                                .withReason("FieldValueInvalid")
                                .build())
                        .endDetails()
                        .build())))
        .isFalse();
  }

  @Test
  void otherRefusalsAreNotConflicts() {
    assertThat(UpstreamWriter.isConflict(refusal(new StatusBuilder().withCode(403).build())))
        .isFalse();
    assertThat(UpstreamWriter.isConflict(refusal(new StatusBuilder().withCode(500).build())))
        .isFalse();
    assertThat(UpstreamWriter.isConflict(new KubernetesClientException("connection refused")))
        .isFalse();
  }

  private static KubernetesClientException refusal(Status status) {
    return new KubernetesClientException(status);
  }
}
