package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BackendsTest {

  @RegisterExtension final Backends backends = new Backends();

  @Test
  void httpBackendAnswersWithItsNameAndCountsRequests() throws Exception {
    HttpBackend green = backends.http("green");
    HttpClient client = HttpClient.newHttpClient();

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + green.port() + "/any/path"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    green.respondWith(503);
    HttpResponse<String> failing =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + green.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("green\n");
    assertThat(response.headers().firstValue(HttpBackend.IDENTITY_HEADER)).hasValue("green");
    assertThat(failing.statusCode()).isEqualTo(503);
    assertThat(green.requests()).isEqualTo(2);
  }

  @Test
  void grpcBackendAnswersWhoAmIWithItsName() throws Exception {
    GrpcBackend violet = backends.grpc("violet");
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", violet.port()).usePlaintext().build();
    try {
      assertThat(GrpcBackend.whoAmI(channel)).isEqualTo("violet");
      assertThat(violet.calls()).isEqualTo(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
