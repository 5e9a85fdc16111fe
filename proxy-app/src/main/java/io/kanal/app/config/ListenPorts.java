package io.kanal.app.config;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ports the proxy will listen on, collected while the configuration is read so that two owners of the same
 * port are caught before anything binds, with both named.
 */
final class ListenPorts {

    private record Claim(String host, int first, int last, String owner, KeyPath path) {

        boolean overlaps(Claim other) {
            return first <= other.last && other.first <= last && sameInterface(host, other.host);
        }

        String describe() {
            return (first == last ? "port " + first : "port range " + first + "-" + last) + " of " + owner;
        }
    }

    private final List<Claim> claims = new ArrayList<>();

    /** The virtual clusters' ports, claimed again as the virtual clusters' mapping claimed them. */
    static ListenPorts ofVirtualClusters(ProxyConfig proxy) throws ConfigException {
        ListenPorts ports = new ListenPorts();
        List<VirtualClusterConfig> clusters = proxy.virtualClusters();
        for (int i = 0; i < clusters.size(); i++) {
            VirtualClusterConfig cluster = clusters.get(i);
            HostPort bootstrap = cluster.bootstrap();
            if (bootstrap.port() != 0) {
                ports.claim(bootstrap.host(), bootstrap.port(), ProxyConfigMapper.lastListenPort(cluster),
                        "virtual cluster '" + cluster.name() + "'",
                        KeyPath.ROOT.key("virtualClusters").index(i).key("bootstrap"));
            }
        }
        return ports;
    }

    /**
     * Claims ports {@code first} to {@code last} on {@code host} for {@code owner}, whose key is {@code path}.
     *
     * @throws ConfigException at {@code path}, naming the earlier claim it clashes with
     */
    void claim(String host, int first, int last, String owner, KeyPath path) throws ConfigException {
        Claim claim = new Claim(host, first, last, owner, path);
        for (Claim earlier : claims) {
            if (claim.overlaps(earlier)) {
                throw ConfigException.at(path, claim.describe() + " on " + host + " clashes with "
                        + earlier.describe() + " on " + earlier.host + " (" + earlier.path + ")");
            }
        }
        claims.add(claim);
    }

    /** Binding a wildcard address takes the port on every interface, so it clashes with any host. */
    private static boolean sameInterface(String a, String b) {
        return Hosts.isWildcard(a) || Hosts.isWildcard(b)
                || a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }
}
