package io.kanal.mesh.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One forwarding rule: topics it matches belong to {@code cluster}. Rules are tried in order and the first match
 * wins.
 *
 * @param kind    how {@code value} matches a topic name
 * @param value   the prefix, the exact name, or the regular expression
 * @param cluster the name of the cluster the matching topics live in
 */
public record RouteRule(Kind kind, String value, String cluster) {

    /** How a rule matches topic names. */
    public enum Kind {
        /** Topics whose name starts with the value, as Envoy's {@code topic_prefix}. */
        PREFIX,
        /** The one topic named exactly the value. */
        EXACT,
        /** Topics whose whole name matches the value, a {@link Pattern java.util.regex} expression. */
        REGEX
    }

    public RouteRule {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(cluster, "cluster");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a " + kind.name().toLowerCase(Locale.ROOT)
                    + " rule needs a non-empty value");
        }
        if (kind == Kind.REGEX) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + value + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
    }

    public static RouteRule prefix(String prefix, String cluster) {
        return new RouteRule(Kind.PREFIX, prefix, cluster);
    }

    public static RouteRule exact(String topic, String cluster) {
        return new RouteRule(Kind.EXACT, topic, cluster);
    }

    public static RouteRule regex(String regex, String cluster) {
        return new RouteRule(Kind.REGEX, regex, cluster);
    }
}
