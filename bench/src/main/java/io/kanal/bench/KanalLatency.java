package io.kanal.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kanal's own latency counters for one Kafka API, read from its admin server's {@code /metrics}: how many responses
 * it sent, the summed time from each request's arrival to its response's departure, and the summed time the broker
 * took ({@code kanal_request_latency_seconds} and {@code kanal_upstream_latency_seconds}). The difference of the
 * sums is the time requests spent inside Kanal: reading, forwarding, decoding, rewriting, queueing on its event
 * loop.
 *
 * @param count            requests answered
 * @param requestSeconds   summed request latency
 * @param upstreamSeconds  summed broker latency
 */
record KanalLatency(long count, double requestSeconds, double upstreamSeconds) {

    private static final Pattern LINE = Pattern.compile(
            "^kanal_(request|upstream)_latency_seconds_(sum|count)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);

    /** Sums the counters of {@code api} over every virtual cluster in a Prometheus text exposition. */
    static KanalLatency parse(String metrics, String api) {
        String label = "api=\"" + api + "\"";
        long count = 0;
        double request = 0;
        double upstream = 0;
        Matcher m = LINE.matcher(metrics);
        while (m.find()) {
            if (!m.group(3).contains(label)) {
                continue;
            }
            double value = Double.parseDouble(m.group(4));
            if (m.group(2).equals("count")) {
                if (m.group(1).equals("request")) {
                    count += (long) value;
                }
            } else if (m.group(1).equals("request")) {
                request += value;
            } else {
                upstream += value;
            }
        }
        return new KanalLatency(count, request, upstream);
    }

    /** Mean milliseconds a request spent inside Kanal between {@code before} and this reading; NaN without any. */
    double ownMillisSince(KanalLatency before) {
        long requests = count - before.count;
        if (requests <= 0) {
            return Double.NaN;
        }
        return ((requestSeconds - before.requestSeconds) - (upstreamSeconds - before.upstreamSeconds)) * 1000
                / requests;
    }
}
