package io.kanal.proxy.sasl;

import java.nio.charset.StandardCharsets;

/** SASL/PLAIN (RFC 4616): one message with the user name and password; the broker's empty answer ends it. */
final class PlainClientExchange implements SaslClientExchange {

    private final String username;
    private final String password;

    PlainClientExchange(String username, String password) {
        this.username = username;
        this.password = password;
    }

    @Override
    public byte[] initialResponse() {
        return ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] evaluate(byte[] challenge) {
        return null;
    }
}
