package dev.fairlead.xds.server;

import dev.fairlead.api.params.ProxyIdentity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Which fleet an xDS client may ask for: a client presenting a Fairlead proxy identity ({@link
 * ProxyIdentity}, a URI in its certificate's subject alternative names) gets only the fleet that
 * identity names, whatever {@code node.cluster} it claims; a client without one gets any fleet only
 * where the {@link Mode} allows it.
 *
 * <p><b>Why client certificates, not service-account tokens.</b> Fairlead issues each managed fleet
 * a certificate from a CA it keeps in a Secret (see the provisioner), and the xDS server, which
 * already requires client certificates of that CA on the TLS handshake, reads the identity from the
 * verified certificate. The alternative, the pod's projected service-account token sent as gRPC
 * metadata and checked with a TokenReview, does not fit Envoy as Fairlead runs it: Envoy's {@code
 * initial_metadata} on an {@code envoy_grpc} service is a fixed string of the bootstrap, so a token
 * the kubelet rotates every hour cannot be sent without an agent beside Envoy (Istio runs
 * pilot-agent for that, which exchanges the token for a SPIFFE certificate from istiod's CA and
 * proxies xDS to Envoy); and a TokenReview on every stream would put the Kubernetes API server on
 * the xDS path, which this module keeps free of Kubernetes. Envoy Gateway likewise protects its xDS
 * port with mutual TLS from certificates it generates into Secrets at install. With a certificate
 * per Gateway the handshake proves which fleet a proxy belongs to, and this class binds that proof
 * to what the proxy asks for.
 *
 * <p>The decision is made once per stream, on its first request (the node is remembered from it,
 * {@link StreamState}); a refusal ends only that stream, with {@code PERMISSION_DENIED} (an
 * identity asking for another fleet) or {@code UNAUTHENTICATED} (no identity where one is
 * required), and a description naming why.
 */
public final class ProxyAuthorization {

  /** Whether a client without a Fairlead proxy identity may ask for a fleet. */
  public enum Mode {
    /**
     * Every client must present a proxy identity, and gets only its fleet. Managed fleets have one;
     * Envoys you run yourself need a certificate of the CA carrying their Gateway's identity URI.
     */
    REQUIRED,
    /**
     * A client presenting a proxy identity gets only its fleet; a client without one (no client
     * certificate, or one without a Fairlead identity URI) may ask for any fleet. For unmanaged
     * fleets whose certificates carry no identity, or a plaintext xDS port.
     */
    OPTIONAL
  }

  /**
   * What the TLS handshake proved about a client.
   *
   * @param certificate whether it presented a client certificate (which the handshake verified
   *     against the CA)
   * @param identities the Fairlead proxy identities in that certificate
   * @param address where it connected from, for log lines
   */
  public record Peer(boolean certificate, Set<ProxyIdentity> identities, String address) {

    public Peer {
      identities = Set.copyOf(identities);
      Objects.requireNonNull(address, "address");
    }

    /** A client over plaintext, or over TLS without a client certificate. */
    static Peer anonymous(String address) {
      return new Peer(false, Set.of(), address);
    }

    /**
     * The identities in the verified certificate chain of {@code session}; anonymous when it holds
     * none.
     */
    static Peer of(Optional<SSLSession> session, String address) {
      if (session.isEmpty()) {
        return anonymous(address);
      }
      Certificate[] chain;
      try {
        chain = session.get().getPeerCertificates();
      } catch (SSLPeerUnverifiedException e) {
        return anonymous(address);
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return anonymous(address);
      }
      return new Peer(true, identities(leaf), address);
    }

    /** The Fairlead identities among {@code certificate}'s URI subject alternative names. */
    static Set<ProxyIdentity> identities(X509Certificate certificate) {
      Collection<List<?>> names;
      try {
        names = certificate.getSubjectAlternativeNames();
      } catch (CertificateParsingException e) {
        return Set.of();
      }
      if (names == null) {
        return Set.of();
      }
      Set<ProxyIdentity> identities = new HashSet<>();
      for (List<?> name : names) {
        if (name.size() == 2
            && Integer.valueOf(6).equals(name.get(0))
            && name.get(1) instanceof String uri) {
          ProxyIdentity.parse(uri).ifPresent(identities::add);
        }
      }
      return identities;
    }

    @Override
    public String toString() {
      if (!identities.isEmpty()) {
        return address
            + " with identity "
            + String.join(
                ", ", new TreeSet<>(identities.stream().map(ProxyIdentity::uri).toList()));
      }
      return address
          + (certificate
              ? " with a client certificate carrying no Fairlead identity"
              : " without a client certificate");
    }
  }

  /** What {@link #decide} says about a stream. */
  public sealed interface Verdict {
    /** The stream may ask for its fleet. */
    record Allowed() implements Verdict {}

    /** The stream is ended with {@code status}. */
    record Refused(Status status) implements Verdict {}
  }

  /** The peer of the call being handled, set by {@link #interceptor()}. */
  static final Context.Key<Peer> PEER = Context.key("fairlead-xds-peer");

  private ProxyAuthorization() {}

  /**
   * Whether {@code peer} may ask for the fleet {@code cluster} ({@code node.cluster} of its first
   * request, empty when it names none).
   */
  public static Verdict decide(Mode mode, Peer peer, String cluster) {
    if (!peer.identities().isEmpty()) {
      for (ProxyIdentity identity : peer.identities()) {
        if (identity.fleet().equals(cluster)) {
          return new Verdict.Allowed();
        }
      }
      String allowed =
          String.join(
              ", ", new TreeSet<>(peer.identities().stream().map(ProxyIdentity::fleet).toList()));
      return new Verdict.Refused(
          Status.PERMISSION_DENIED.withDescription(
              "the client certificate's proxy identity "
                  + "allows node.cluster "
                  + allowed
                  + " only, but the stream asks for "
                  + (cluster.isEmpty() ? "no node.cluster" : "'" + cluster + "'")
                  + "; the stream is closed"));
    }
    if (mode == Mode.OPTIONAL) {
      return new Verdict.Allowed();
    }
    return new Verdict.Refused(
        Status.UNAUTHENTICATED.withDescription(
            (peer.certificate()
                    ? "the client certificate carries no Fairlead proxy identity (a URI SAN "
                        + ProxyIdentity.URI_PREFIX
                        + "<namespace>/gateway/<name>)"
                    : "no client certificate")
                + ", and this xDS server requires one (--xds-proxy-identity=required); the stream is closed"));
  }

  /** Puts each call's {@link Peer} into its context, where the ADS streams read it. */
  static ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Peer peer =
            Peer.of(
                Optional.ofNullable(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)),
                remote == null ? "an unknown address" : remote.toString());
        return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
      }
    };
  }
}
