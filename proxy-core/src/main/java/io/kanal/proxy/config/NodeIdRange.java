package io.kanal.proxy.config;

/**
 * The broker node ids a virtual cluster gives a port of their own to. Node {@code first} listens on the bootstrap
 * port + 1, node {@code first + 1} on the bootstrap port + 2, and so on up to {@code last}.
 *
 * @param first the lowest node id served, 0 or more
 * @param last  the highest node id served, not below {@code first}
 */
public record NodeIdRange(int first, int last) {

    /** Node ids 0 to 31: bootstrap port + 1 + node id, as most clusters number their brokers. */
    public static final NodeIdRange DEFAULT = new NodeIdRange(0, 31);

    public NodeIdRange {
        if (first < 0) {
            throw new IllegalArgumentException("first node id " + first + " is negative");
        }
        if (last < first) {
            throw new IllegalArgumentException("last node id " + last + " is below first node id " + first);
        }
    }

    public boolean contains(int nodeId) {
        return nodeId >= first && nodeId <= last;
    }

    /** How many node ids, and so how many broker ports, the range holds. */
    public int size() {
        return last - first + 1;
    }
}
