package io.kanal.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Asks a running Kanal's admin server whether it is ready, for tests that wait for a process they started. */
public final class Readyz {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param adminUrl the admin server's {@code http://host:port}
     * @return empty when {@code /readyz} answered 200; otherwise what it answered, or why it could not be asked
     */
    public Optional<String> notReady(String adminUrl) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(adminUrl + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? Optional.empty()
                    : Optional.of(answer.statusCode() + " " + answer.body().strip());
        } catch (IOException notYet) {
            return Optional.of(notYet.toString());
        }
    }
}
