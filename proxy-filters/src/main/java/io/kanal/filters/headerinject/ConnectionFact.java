package io.kanal.filters.headerinject;

import io.kanal.proxy.filter.ConnectionInfo;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The connection facts a header's {@code from} can name. */
enum ConnectionFact {

    CLIENT_ID("clientId", connection -> Optional.ofNullable(connection.clientId())),
    PRINCIPAL("principal", ConnectionInfo::principal),
    VIRTUAL_CLUSTER("virtualCluster", connection -> Optional.ofNullable(connection.virtualCluster())),
    CLIENT_ADDRESS("clientAddress", connection -> Optional.ofNullable(connection.clientAddress())
            .map(ConnectionFact::format));

    private final String configName;
    private final Function<ConnectionInfo, Optional<String>> read;

    ConnectionFact(String configName, Function<ConnectionInfo, Optional<String>> read) {
        this.configName = configName;
        this.read = read;
    }

    /** The fact's value for a connection, or empty when the connection does not have it. */
    Optional<String> of(ConnectionInfo connection) {
        return read.apply(connection);
    }

    String configName() {
        return configName;
    }

    /** The fact the configuration calls {@code name}, matched exactly, or empty. */
    static Optional<ConnectionFact> byConfigName(String name) {
        return Arrays.stream(values()).filter(fact -> fact.configName.equals(name)).findFirst();
    }

    /** The names the configuration may use, for error messages. */
    static String configNames() {
        return Arrays.stream(values()).map(ConnectionFact::configName).collect(Collectors.joining(", "));
    }

    private static String format(InetSocketAddress address) {
        if (address.isUnresolved() || address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
