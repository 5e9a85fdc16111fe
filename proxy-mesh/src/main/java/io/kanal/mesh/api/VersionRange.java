package io.kanal.mesh.api;

import java.util.Optional;

/**
 * The versions of an API the mesh accepts, both ends included.
 *
 * @param min the oldest version
 * @param max the newest version, at least {@code min}
 */
public record VersionRange(short min, short max) {

    public VersionRange {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("versions " + min + "-" + max + " are not a range");
        }
    }

    public static VersionRange of(int min, int max) {
        return new VersionRange((short) min, (short) max);
    }

    /** The versions in both ranges, or empty when they do not overlap. */
    public Optional<VersionRange> intersect(VersionRange other) {
        short low = (short) Math.max(min, other.min);
        short high = (short) Math.min(max, other.max);
        return low <= high ? Optional.of(new VersionRange(low, high)) : Optional.empty();
    }

    public boolean contains(short version) {
        return version >= min && version <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
