package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Optional;

/**
 * How the driver talks to a server under test over its standard input: frames of a 4-byte
 * big-endian length and a serialized {@code DeltaDiscoveryResponse}. A frame whose {@code type_url}
 * is an xDS resource type stages resources and removals; {@link #COMMIT} applies what was staged;
 * {@link #STATE} carries a {@link StateSpec} in {@code system_version_info} (for {@link
 * Peer#FAIRLEAD}, and applies it); {@link #STATS} and {@link #RESET} ask for and restart the peak
 * heap. The server answers each {@code COMMIT} and {@code STATE} with the line {@code ok} once
 * applied, in order; {@code STATS} with {@code stats <peak heap bytes>} and {@code RESET} with
 * {@code reset} at once, ahead of applies still queued. Answers go to standard output.
 */
final class ControlFrames {

  static final String COMMIT = "bench/commit";
  static final String STATE = "bench/state";
  static final String STATS = "bench/stats";
  static final String RESET = "bench/reset";

  private ControlFrames() {}

  static DeltaDiscoveryResponse command(String typeUrl) {
    return DeltaDiscoveryResponse.newBuilder().setTypeUrl(typeUrl).build();
  }

  static DeltaDiscoveryResponse state(StateSpec spec) {
    return DeltaDiscoveryResponse.newBuilder()
        .setTypeUrl(STATE)
        .setSystemVersionInfo(spec.encode())
        .build();
  }

  static void write(DataOutputStream out, DeltaDiscoveryResponse frame) throws IOException {
    byte[] bytes = frame.toByteArray();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /** The next frame; empty at the end of input. */
  static Optional<DeltaDiscoveryResponse> read(DataInputStream in) throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException end) {
      return Optional.empty();
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return Optional.of(DeltaDiscoveryResponse.parseFrom(bytes));
  }
}
