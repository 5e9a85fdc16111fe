package io.kanal.mesh.route;

import io.kanal.mesh.config.RouteRule;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Says which cluster a topic lives in: the cluster of the first rule that matches its name, else the default
 * cluster, else none. Safe for use from any thread.
 */
public final class TopicRouter {

    /**
     * Topics whose answer is remembered when a regular expression rule exists, so that matching costs a map look-up
     * on the produce path; beyond this many, answers are computed each time rather than growing the map.
     */
    private static final int MAX_REMEMBERED = 100_000;

    private record CompiledRule(Predicate<String> matches, String cluster) {
    }

    private final List<CompiledRule> rules;
    private final Optional<String> defaultCluster;
    private final ConcurrentHashMap<String, Optional<String>> remembered;

    public TopicRouter(List<RouteRule> rules, Optional<String> defaultCluster) {
        this.rules = rules.stream().map(TopicRouter::compile).toList();
        this.defaultCluster = defaultCluster;
        boolean anyRegex = rules.stream().anyMatch(rule -> rule.kind() == RouteRule.Kind.REGEX);
        this.remembered = anyRegex ? new ConcurrentHashMap<>() : null;
    }

    private static CompiledRule compile(RouteRule rule) {
        String value = rule.value();
        Predicate<String> matches = switch (rule.kind()) {
            case PREFIX -> topic -> topic.startsWith(value);
            case EXACT -> value::equals;
            case REGEX -> {
                Pattern pattern = Pattern.compile(value);
                yield topic -> pattern.matcher(topic).matches();
            }
        };
        return new CompiledRule(matches, rule.cluster());
    }

    /** The name of the cluster {@code topic} lives in, or empty when no rule matches and there is no default. */
    public Optional<String> clusterFor(String topic) {
        if (remembered == null) {
            return match(topic);
        }
        Optional<String> known = remembered.get(topic);
        if (known != null) {
            return known;
        }
        Optional<String> cluster = match(topic);
        if (remembered.size() < MAX_REMEMBERED) {
            remembered.put(topic, cluster);
        }
        return cluster;
    }

    private Optional<String> match(String topic) {
        for (CompiledRule rule : rules) {
            if (rule.matches.test(topic)) {
                return Optional.of(rule.cluster);
            }
        }
        return defaultCluster;
    }
}
