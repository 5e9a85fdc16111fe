package io.kanal.app.config;

/** Facts about host names and IP literals that validation needs. */
final class Hosts {

    private Hosts() {
    }

    /** {@code 0.0.0.0}, {@code ::} or another spelling of the IPv6 any-address. */
    static boolean isWildcard(String host) {
        if (host.equals("0.0.0.0")) {
            return true;
        }
        return host.indexOf(':') >= 0 && host.replace("0", "").replace(":", "").isEmpty();
    }
}
